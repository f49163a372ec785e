import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import type { PriceCategory, PriceItem } from '../../src-shared/billing.js';
import { parseRupees } from '../../src-shared/money.js';
import { addDays } from '../../src-shared/schedule.js';
import { Failure } from '../ipc/failure.js';
import type { ChangeCapture } from '../store/change-capture.js';
import type { Db } from '../store/db.js';
import { priceItems } from '../store/schema-billing.js';

type Row = typeof priceItems.$inferSelect;

export interface PriceSave {
  id: string | null;
  code: string;
  name: string;
  category: PriceCategory;
  doctorId: string | null;
  department: string;
  price: string;
  taxBp: number;
  effectiveFrom: string;
}

/** Whether a version applies on a day ('YYYY-MM-DD' strings compare as dates). */
export function effectiveOn(v: { effectiveFrom: string; effectiveTo: string | null }, day: string): boolean {
  return v.effectiveFrom <= day && (v.effectiveTo === null || day <= v.effectiveTo);
}

function toItem(r: Row, on: string): PriceItem {
  return {
    id: r.itemId,
    code: r.code,
    name: r.name,
    category: r.category,
    doctorId: r.doctorId,
    department: r.department,
    pricePaise: r.pricePaise,
    taxBp: r.taxBp,
    effectiveFrom: r.effectiveFrom,
    effectiveTo: r.effectiveTo,
    active: effectiveOn(r, on),
  };
}

const invalid = (field: string, message: string) =>
  new Failure('VALIDATION', 'Some fields need attention.', { [field]: message });

/**
 * The price list (issue 7). An item is a chain of versions sharing an item id; a new price
 * from a date is a new row and the previous version ends the day before, so an invoice
 * drafted for an earlier visit still finds the price of that day. Rows merge per field
 * through sync like any other table.
 */
export class PricesRepo {
  constructor(
    private readonly db: Db,
    private readonly capture: ChangeCapture,
    private readonly now: () => number,
  ) {}

  private versions(itemId: string): Row[] {
    return this.db
      .select()
      .from(priceItems)
      .where(eq(priceItems.itemId, itemId))
      .orderBy(asc(priceItems.effectiveFrom))
      .all();
  }

  /** The item's version in force on a day, or null (not yet priced, or retired). */
  on(itemId: string, day: string): PriceItem | null {
    const v = this.versions(itemId).find((r) => effectiveOn(r, day));
    return v ? toItem(v, day) : null;
  }

  /** The item's newest version, as seen on a day. */
  latest(itemId: string, day: string): PriceItem | null {
    const all = this.versions(itemId);
    const v = all[all.length - 1];
    return v ? toItem(v, day) : null;
  }

  /** Versions in force on the day; with includeInactive, every version of every item. */
  list(on: string, includeInactive: boolean): PriceItem[] {
    const rows = this.db
      .select()
      .from(priceItems)
      .orderBy(asc(priceItems.category), asc(priceItems.code), asc(priceItems.effectiveFrom))
      .all();
    return rows.filter((r) => includeInactive || effectiveOn(r, on)).map((r) => toItem(r, on));
  }

  save(input: PriceSave, by: string, today: string): PriceItem {
    const pricePaise = parseRupees(input.price);
    const itemId = input.id ?? randomUUID();
    const clash = this.db.select().from(priceItems).where(eq(priceItems.code, input.code)).all();
    if (clash.some((r) => r.itemId !== itemId)) throw invalid('code', 'Another item has this code');
    const versions = input.id === null ? [] : this.versions(input.id);
    if (input.id !== null && versions.length === 0)
      throw new Failure('NOT_FOUND', 'No price item with that id.');
    const fields = {
      code: input.code,
      name: input.name,
      category: input.category,
      department: input.department,
      doctorId: input.doctorId,
      pricePaise,
      taxBp: input.taxBp,
    };
    const at = this.now();
    return this.db.transaction(() => {
      const same = versions.find((v) => v.effectiveFrom === input.effectiveFrom);
      if (same && same.effectiveFrom >= today) {
        // A version not yet in force (or starting today) is corrected in place.
        this.update(same.id, fields, at);
        return toItem({ ...same, ...fields }, today);
      }
      const later = versions.find((v) => v.effectiveFrom >= input.effectiveFrom);
      if (later)
        throw invalid(
          'effectiveFrom',
          `A version from ${later.effectiveFrom} already exists; choose a date after it`,
        );
      const previous = versions[versions.length - 1];
      const dayBefore = addDays(input.effectiveFrom, -1);
      if (previous && (previous.effectiveTo === null || previous.effectiveTo > dayBefore))
        this.update(previous.id, { effectiveTo: dayBefore }, at);
      const row: Row = {
        id: randomUUID(),
        itemId,
        ...fields,
        effectiveFrom: input.effectiveFrom,
        effectiveTo: null,
        createdBy: by,
        createdAt: at,
        updatedAt: at,
      };
      this.db.insert(priceItems).values(row).run();
      this.capture.record('price_items', row.id, [
        { column: 'item_id', plain: row.itemId },
        { column: 'code', plain: row.code },
        { column: 'name', plain: row.name },
        { column: 'category', plain: row.category },
        { column: 'department', plain: row.department },
        { column: 'doctor_id', plain: row.doctorId },
        { column: 'price_paise', plain: row.pricePaise },
        { column: 'tax_bp', plain: row.taxBp },
        { column: 'effective_from', plain: row.effectiveFrom },
        { column: 'effective_to', plain: row.effectiveTo },
        { column: 'created_by', plain: row.createdBy },
        { column: 'created_at', plain: row.createdAt },
      ]);
      return toItem(row, today);
    });
  }

  /** Ends the item's newest version the day before `from`. */
  retire(itemId: string, from: string, today: string): PriceItem {
    const versions = this.versions(itemId);
    const last = versions[versions.length - 1];
    if (!last) throw new Failure('NOT_FOUND', 'No price item with that id.');
    if (last.effectiveFrom >= from)
      throw invalid('from', `The newest version starts on ${last.effectiveFrom}; retire from a later date`);
    const effectiveTo = addDays(from, -1);
    if (last.effectiveTo !== null && last.effectiveTo <= effectiveTo)
      throw invalid('from', `Already retired from ${addDays(last.effectiveTo, 1)}`);
    this.update(last.id, { effectiveTo }, this.now());
    return toItem({ ...last, effectiveTo }, today);
  }

  private update(
    id: string,
    set: Partial<
      Pick<
        Row,
        'code' | 'name' | 'category' | 'department' | 'doctorId' | 'pricePaise' | 'taxBp' | 'effectiveTo'
      >
    >,
    at: number,
  ): void {
    this.db.transaction(() => {
      this.db
        .update(priceItems)
        .set({ ...set, updatedAt: at })
        .where(eq(priceItems.id, id))
        .run();
      const column = {
        code: 'code',
        name: 'name',
        category: 'category',
        department: 'department',
        doctorId: 'doctor_id',
        pricePaise: 'price_paise',
        taxBp: 'tax_bp',
        effectiveTo: 'effective_to',
      } as const;
      this.capture.record(
        'price_items',
        id,
        (Object.keys(set) as (keyof typeof column)[]).map((k) => ({
          column: column[k],
          plain: set[k] ?? null,
        })),
      );
    });
  }
}
