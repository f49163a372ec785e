import { randomUUID } from 'node:crypto';
import { asc, eq, inArray } from 'drizzle-orm';
import type {
  ChartItem,
  ChartItemDetails,
  ConsultationDraft,
  TypedVitals,
} from '../../src-shared/clinical/chart.js';
import type { PrescriptionContent } from '../../src-shared/clinical/prescribing.js';
import type { ChangeCapture } from './change-capture.js';
import type { Db } from './db.js';
import type { FieldCodec } from './fields.js';
import { chartItems, consultations, prescriptions } from './schema.js';

export interface StoredConsultation extends ConsultationDraft {
  visitId: string;
  patientId: string;
  doctorId: string | null;
  status: 'draft' | 'final';
  startedAt: number;
  finishedAt: number | null;
  updatedAt: number;
}

export interface StoredPrescription {
  id: string;
  patientId: string;
  visitId: string;
  doctorId: string;
  version: number;
  previousId: string | null;
  content: PrescriptionContent;
  digest: string;
  signedAt: number;
}

/** Consultation text columns: each one envelope holding the text as JSON. */
const TEXT_FIELDS = [
  ['complaints', 'complaints'],
  ['history', 'history'],
  ['examination', 'examination'],
  ['advice', 'advice'],
] as const;

/** The diagnosis envelope holds the free text and the optional ICD-10 code together. */
interface StoredDiagnosis {
  text: string;
  icd10: string;
}

/**
 * The doctor's records (issue 5): chart items, consultations and signed prescriptions. Every
 * write goes with its change capture in one transaction; every clinical value is an
 * envelope bound to its table, column and row.
 */
export class ClinicalRepo {
  constructor(
    private readonly db: Db,
    private readonly codec: FieldCodec,
    private readonly capture: ChangeCapture,
    private readonly now: () => number,
  ) {}

  /* ------------------------------------------------------------- chart items */

  saveItem(patientId: string, id: string | null, details: ChartItemDetails, by: string | null): ChartItem {
    const at = this.now();
    if (id === null) {
      const newId = randomUUID();
      const sealed = this.codec.sealJson('chart_items', 'details', newId, details);
      this.db.transaction(() => {
        this.db
          .insert(chartItems)
          .values({
            id: newId,
            patientId,
            kind: details.kind,
            details: sealed,
            recordedBy: by,
            recordedAt: at,
            updatedAt: at,
          })
          .run();
        this.capture.record('chart_items', newId, [
          { column: 'patient_id', plain: patientId },
          { column: 'kind', plain: details.kind },
          { column: 'details', envelope: sealed },
          { column: 'recorded_by', plain: by },
          { column: 'recorded_at', plain: at },
        ]);
      });
      return { ...details, id: newId, patientId, recordedBy: by, recordedAt: at, updatedAt: at };
    }
    const existing = this.item(id);
    if (!existing || existing.patientId !== patientId || existing.kind !== details.kind) {
      throw new RangeError('No such item of this kind for this patient');
    }
    const sealed = this.codec.sealJson('chart_items', 'details', id, details);
    this.db.transaction(() => {
      this.db.update(chartItems).set({ details: sealed, updatedAt: at }).where(eq(chartItems.id, id)).run();
      this.capture.record('chart_items', id, [{ column: 'details', envelope: sealed }]);
    });
    return {
      ...details,
      id,
      patientId,
      recordedBy: existing.recordedBy,
      recordedAt: existing.recordedAt,
      updatedAt: at,
    };
  }

  item(id: string): ChartItem | null {
    const row = this.db.select().from(chartItems).where(eq(chartItems.id, id)).get();
    return row ? this.decodeItem(row) : null;
  }

  items(patientId: string): ChartItem[] {
    return this.db
      .select()
      .from(chartItems)
      .where(eq(chartItems.patientId, patientId))
      .orderBy(asc(chartItems.recordedAt), asc(chartItems.id))
      .all()
      .map((r) => this.decodeItem(r));
  }

  private decodeItem(row: typeof chartItems.$inferSelect): ChartItem {
    const details = this.codec.openJson<ChartItemDetails>('chart_items', 'details', row.id, row.details);
    return {
      ...details,
      id: row.id,
      patientId: row.patientId,
      recordedBy: row.recordedBy,
      recordedAt: row.recordedAt,
      updatedAt: row.updatedAt,
    };
  }

  /* ------------------------------------------------------------- consultations */

  consultation(visitId: string): StoredConsultation | null {
    const row = this.db.select().from(consultations).where(eq(consultations.visitId, visitId)).get();
    return row ? this.decodeConsultation(row) : null;
  }

  /** Draft or final without opening any envelope (checked before every draft save). */
  consultationStatus(visitId: string): 'draft' | 'final' | null {
    return (
      this.db
        .select({ status: consultations.status })
        .from(consultations)
        .where(eq(consultations.visitId, visitId))
        .get()?.status ?? null
    );
  }

  consultationsFor(visitIds: string[]): Map<string, StoredConsultation> {
    if (visitIds.length === 0) return new Map();
    const rows = this.db.select().from(consultations).where(inArray(consultations.visitId, visitIds)).all();
    return new Map(rows.map((r) => [r.visitId, this.decodeConsultation(r)]));
  }

  /**
   * Writes the consultation's fields that differ from what is stored (all of them for a new
   * one), and the status: drafts as typed, `final` when the doctor finishes.
   */
  saveConsultation(
    visit: { id: string; patientId: string },
    doctorId: string | null,
    draft: ConsultationDraft,
    status: 'draft' | 'final',
  ): StoredConsultation {
    const at = this.now();
    const before = this.consultation(visit.id);
    const id = visit.id;
    const values: Record<string, unknown> = {};
    const changes: Parameters<ChangeCapture['record']>[2] = [];
    const seal = (column: string, value: unknown) => this.codec.sealJson('consultations', column, id, value);
    for (const [key, column] of TEXT_FIELDS) {
      if (before && before[key] === draft[key]) continue;
      const envelope = seal(column, draft[key]);
      values[key] = envelope;
      changes.push({ column, envelope } as never);
    }
    if (!before || JSON.stringify(before.vitals) !== JSON.stringify(draft.vitals)) {
      const envelope = seal('vitals', draft.vitals);
      values.vitals = envelope;
      changes.push({ column: 'vitals', envelope } as never);
    }
    if (!before || before.diagnosis !== draft.diagnosis || before.icd10 !== draft.icd10) {
      const envelope = seal('diagnosis', {
        text: draft.diagnosis,
        icd10: draft.icd10,
      } satisfies StoredDiagnosis);
      values.diagnosis = envelope;
      changes.push({ column: 'diagnosis', envelope } as never);
    }
    if (!before || before.followUp !== draft.followUp) {
      const envelope = seal('follow_up', draft.followUp);
      values.followUp = envelope;
      changes.push({ column: 'follow_up', envelope } as never);
    }
    const finishedAt = status === 'final' ? at : (before?.finishedAt ?? null);
    this.db.transaction(() => {
      if (!before) {
        this.db
          .insert(consultations)
          .values({
            visitId: id,
            patientId: visit.patientId,
            doctorId,
            status,
            ...(values as Pick<
              typeof consultations.$inferInsert,
              'complaints' | 'history' | 'examination' | 'vitals' | 'diagnosis' | 'advice' | 'followUp'
            >),
            startedAt: at,
            finishedAt,
            updatedAt: at,
          })
          .run();
        changes.push(
          { column: 'patient_id', plain: visit.patientId } as never,
          { column: 'doctor_id', plain: doctorId } as never,
          { column: 'status', plain: status } as never,
          { column: 'started_at', plain: at } as never,
          { column: 'finished_at', plain: finishedAt } as never,
        );
      } else {
        const statusChanged = before.status !== status;
        this.db
          .update(consultations)
          .set({ ...values, status, finishedAt, updatedAt: at })
          .where(eq(consultations.visitId, id))
          .run();
        if (statusChanged) {
          changes.push(
            { column: 'status', plain: status } as never,
            { column: 'finished_at', plain: finishedAt } as never,
          );
        }
      }
      if (changes.length > 0) this.capture.record('consultations', id, changes);
    });
    return {
      ...draft,
      visitId: id,
      patientId: visit.patientId,
      doctorId: before?.doctorId ?? doctorId,
      status,
      startedAt: before?.startedAt ?? at,
      finishedAt,
      updatedAt: at,
    };
  }

  private decodeConsultation(row: typeof consultations.$inferSelect): StoredConsultation {
    const open = <T>(column: string, value: Buffer) =>
      this.codec.openJson<T>('consultations', column, row.visitId, value);
    const diagnosis = open<StoredDiagnosis>('diagnosis', row.diagnosis);
    return {
      visitId: row.visitId,
      patientId: row.patientId,
      doctorId: row.doctorId,
      status: row.status,
      complaints: open<string>('complaints', row.complaints),
      history: open<string>('history', row.history),
      examination: open<string>('examination', row.examination),
      vitals: open<TypedVitals>('vitals', row.vitals),
      diagnosis: diagnosis.text,
      icd10: diagnosis.icd10,
      advice: open<string>('advice', row.advice),
      followUp: open<string>('follow_up', row.followUp),
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
      updatedAt: row.updatedAt,
    };
  }

  /* ------------------------------------------------------------- prescriptions */

  /** Inserts a signed prescription; the row is never updated afterwards (SQL triggers). */
  insertPrescription(p: StoredPrescription): void {
    const content = this.codec.sealJson('prescriptions', 'content', p.id, p.content);
    const at = this.now();
    this.db.transaction(() => {
      this.db
        .insert(prescriptions)
        .values({
          id: p.id,
          patientId: p.patientId,
          visitId: p.visitId,
          doctorId: p.doctorId,
          version: p.version,
          previousId: p.previousId ?? '',
          content,
          digest: p.digest,
          signedAt: p.signedAt,
          updatedAt: at,
        })
        .run();
      this.capture.record('prescriptions', p.id, [
        { column: 'patient_id', plain: p.patientId },
        { column: 'visit_id', plain: p.visitId },
        { column: 'doctor_id', plain: p.doctorId },
        { column: 'version', plain: p.version },
        { column: 'previous_id', plain: p.previousId ?? '' },
        { column: 'content', envelope: content },
        { column: 'digest', plain: p.digest },
        { column: 'signed_at', plain: p.signedAt },
      ]);
    });
  }

  prescription(id: string): StoredPrescription | null {
    const row = this.db.select().from(prescriptions).where(eq(prescriptions.id, id)).get();
    return row ? this.decodePrescription(row) : null;
  }

  /** The id of the prescription that replaced this one, if any. */
  supersededBy(id: string): string | null {
    return (
      this.db
        .select({ id: prescriptions.id })
        .from(prescriptions)
        .where(eq(prescriptions.previousId, id))
        .get()?.id ?? null
    );
  }

  prescriptionsForPatient(patientId: string): StoredPrescription[] {
    return this.db
      .select()
      .from(prescriptions)
      .where(eq(prescriptions.patientId, patientId))
      .orderBy(asc(prescriptions.signedAt), asc(prescriptions.version))
      .all()
      .map((r) => this.decodePrescription(r));
  }

  private decodePrescription(row: typeof prescriptions.$inferSelect): StoredPrescription {
    return {
      id: row.id,
      patientId: row.patientId,
      visitId: row.visitId,
      doctorId: row.doctorId,
      version: row.version,
      previousId: row.previousId === '' ? null : row.previousId,
      content: this.codec.openJson<PrescriptionContent>('prescriptions', 'content', row.id, row.content),
      digest: row.digest,
      signedAt: row.signedAt,
    };
  }
}
