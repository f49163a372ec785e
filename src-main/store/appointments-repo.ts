import { randomUUID } from 'node:crypto';
import { and, eq, gte, inArray, lte } from 'drizzle-orm';
import type { AppointmentStatus, WeeklyHours } from '../../src-shared/types.js';
import type { ChangeCapture } from './change-capture.js';
import type { Db } from './db.js';
import type { FieldCodec } from './fields.js';
import { appointments, doctorLeave, doctorSchedules } from './schema.js';

export interface StoredSchedule {
  doctorId: string;
  slotMinutes: number;
  weekly: WeeklyHours[];
}

export interface StoredAppointment {
  id: string;
  doctorId: string;
  patientId: string;
  visitId: string | null;
  date: string;
  startMin: number;
  endMin: number;
  status: AppointmentStatus;
  reason: string;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewAppointment {
  doctorId: string;
  patientId: string;
  date: string;
  startMin: number;
  endMin: number;
  reason: string;
}

/** Booked slots stay in the diary while they are live; cancelled ones free the slot. */
export const LIVE_STATUSES = ['booked', 'checked-in'] as const;

export const DEFAULT_SLOT_MINUTES = 15;

export class AppointmentsRepo {
  constructor(
    private readonly db: Db,
    private readonly codec: FieldCodec,
    private readonly capture: ChangeCapture,
    private readonly now: () => number,
  ) {}

  schedule(doctorId: string): StoredSchedule {
    const row = this.db.select().from(doctorSchedules).where(eq(doctorSchedules.doctorId, doctorId)).get();
    if (!row) return { doctorId, slotMinutes: DEFAULT_SLOT_MINUTES, weekly: [] };
    return { doctorId, slotMinutes: row.slotMinutes, weekly: JSON.parse(row.weekly) as WeeklyHours[] };
  }

  setSchedule(s: StoredSchedule): void {
    const at = this.now();
    const weekly = JSON.stringify(s.weekly);
    this.db.transaction(() => {
      this.db
        .insert(doctorSchedules)
        .values({ doctorId: s.doctorId, slotMinutes: s.slotMinutes, weekly, updatedAt: at })
        .onConflictDoUpdate({ target: doctorSchedules.doctorId, set: { slotMinutes: s.slotMinutes, weekly, updatedAt: at } })
        .run();
      this.capture.record('doctor_schedules', s.doctorId, [
        { column: 'slot_minutes', plain: s.slotMinutes },
        { column: 'weekly', plain: weekly },
      ]);
    });
  }

  leaveDays(doctorId: string, from?: string): { date: string; note: string }[] {
    const where = from
      ? and(eq(doctorLeave.doctorId, doctorId), eq(doctorLeave.onLeave, true), gte(doctorLeave.date, from))
      : and(eq(doctorLeave.doctorId, doctorId), eq(doctorLeave.onLeave, true));
    return this.db
      .select({ date: doctorLeave.date, note: doctorLeave.note })
      .from(doctorLeave)
      .where(where)
      .orderBy(doctorLeave.date)
      .all();
  }

  isOnLeave(doctorId: string, date: string): boolean {
    const row = this.db
      .select({ onLeave: doctorLeave.onLeave })
      .from(doctorLeave)
      .where(eq(doctorLeave.id, `${doctorId}:${date}`))
      .get();
    return row?.onLeave === true;
  }

  setLeave(doctorId: string, date: string, onLeave: boolean, note: string): void {
    const id = `${doctorId}:${date}`;
    const at = this.now();
    this.db.transaction(() => {
      this.db
        .insert(doctorLeave)
        .values({ id, doctorId, date, onLeave, note, updatedAt: at })
        .onConflictDoUpdate({ target: doctorLeave.id, set: { onLeave, note, updatedAt: at } })
        .run();
      this.capture.record('doctor_leave', id, [
        { column: 'doctor_id', plain: doctorId },
        { column: 'date', plain: date },
        { column: 'on_leave', plain: onLeave },
        { column: 'note', plain: note },
      ]);
    });
  }

  /** Live appointments of one doctor on one day. */
  liveOn(doctorId: string, date: string): StoredAppointment[] {
    return this.between([doctorId], date, date, LIVE_STATUSES);
  }

  /**
   * Inserts the appointment unless a live booking of the same doctor overlaps it. The check
   * and the insert share one transaction, so two windows of this workstation cannot both win
   * the slot. Returns null when the slot is taken.
   */
  book(a: NewAppointment, by: string | null): StoredAppointment | null {
    const id = randomUUID();
    const at = this.now();
    const reason = this.codec.sealText('appointments', 'reason', id, a.reason);
    return this.db.transaction(() => {
      if (this.overlapping(a.doctorId, a.date, a.startMin, a.endMin, null).length > 0) return null;
      const row = { ...a, id, visitId: null, status: 'booked' as const, reason, createdBy: by, createdAt: at, updatedAt: at };
      this.db.insert(appointments).values(row).run();
      this.capture.record('appointments', id, [
        { column: 'doctor_id', plain: a.doctorId },
        { column: 'patient_id', plain: a.patientId },
        { column: 'visit_id', plain: null },
        { column: 'date', plain: a.date },
        { column: 'start_min', plain: a.startMin },
        { column: 'end_min', plain: a.endMin },
        { column: 'status', plain: 'booked' },
        { column: 'reason', envelope: reason },
        { column: 'created_by', plain: by },
        { column: 'created_at', plain: at },
      ]);
      return { ...row, reason: a.reason };
    });
  }

  /** Moves a booking to another slot, with the same overlap rule as booking. */
  move(current: StoredAppointment, to: { doctorId: string; date: string; startMin: number; endMin: number }): StoredAppointment | null {
    const at = this.now();
    return this.db.transaction(() => {
      if (this.overlapping(to.doctorId, to.date, to.startMin, to.endMin, current.id).length > 0) return null;
      this.db
        .update(appointments)
        .set({ ...to, updatedAt: at })
        .where(eq(appointments.id, current.id))
        .run();
      this.capture.record('appointments', current.id, [
        { column: 'doctor_id', plain: to.doctorId },
        { column: 'date', plain: to.date },
        { column: 'start_min', plain: to.startMin },
        { column: 'end_min', plain: to.endMin },
      ]);
      return { ...current, ...to, updatedAt: at };
    });
  }

  setStatus(current: StoredAppointment, status: AppointmentStatus, visitId: string | null = current.visitId): StoredAppointment {
    const at = this.now();
    this.db.transaction(() => {
      this.db.update(appointments).set({ status, visitId, updatedAt: at }).where(eq(appointments.id, current.id)).run();
      this.capture.record('appointments', current.id, [
        { column: 'status', plain: status },
        ...(visitId !== current.visitId ? [{ column: 'visit_id' as const, plain: visitId }] : []),
      ]);
    });
    return { ...current, status, visitId, updatedAt: at };
  }

  byId(id: string): StoredAppointment | null {
    const row = this.db.select().from(appointments).where(eq(appointments.id, id)).get();
    return row ? this.decode(row) : null;
  }

  /** Appointments of the given doctors (all doctors when null) from `from` to `to` inclusive. */
  between(
    doctorIds: string[] | null,
    from: string,
    to: string,
    statuses: readonly AppointmentStatus[] = ['booked', 'checked-in', 'cancelled'],
  ): StoredAppointment[] {
    const conditions = [gte(appointments.date, from), lte(appointments.date, to), inArray(appointments.status, [...statuses])];
    if (doctorIds) conditions.push(inArray(appointments.doctorId, doctorIds));
    return this.db
      .select()
      .from(appointments)
      .where(and(...conditions))
      .orderBy(appointments.date, appointments.startMin)
      .all()
      .map((r) => this.decode(r));
  }

  private overlapping(doctorId: string, date: string, startMin: number, endMin: number, except: string | null) {
    return this.liveOn(doctorId, date).filter((x) => x.id !== except && x.startMin < endMin && startMin < x.endMin);
  }

  private decode(row: typeof appointments.$inferSelect): StoredAppointment {
    return { ...row, reason: this.codec.openText('appointments', 'reason', row.id, row.reason) };
  }
}
