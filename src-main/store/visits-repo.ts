import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type { Priority, VisitStatus } from '../../src-shared/types.js';
import type { ChangeCapture } from './change-capture.js';
import type { Db } from './db.js';
import type { FieldCodec } from './fields.js';
import type { MetaRepo } from './meta-repo.js';
import { visits } from './schema.js';

export interface StoredVisit {
  id: string;
  patientId: string;
  doctorId: string | null;
  appointmentId: string | null;
  day: string;
  token: number;
  priority: Priority;
  status: VisitStatus;
  reason: string;
  createdBy: string | null;
  checkedInAt: number;
  calledAt: number | null;
  statusChangedAt: number;
}

export interface NewVisit {
  patientId: string;
  doctorId: string | null;
  appointmentId: string | null;
  day: string;
  priority: Priority;
  reason: string;
}

export class VisitsRepo {
  constructor(
    private readonly db: Db,
    private readonly codec: FieldCodec,
    private readonly capture: ChangeCapture,
    private readonly meta: MetaRepo,
    private readonly now: () => number,
  ) {}

  /**
   * Creates the visit with the next token of its day. Callers that must update another row
   * in the same step (an appointment being checked in) pass `alsoInTransaction`.
   */
  create(v: NewVisit, by: string | null, alsoInTransaction?: (visitId: string) => void): StoredVisit {
    const id = randomUUID();
    const at = this.now();
    const reason = this.codec.sealText('visits', 'reason', id, v.reason);
    return this.db.transaction(() => {
      // The token counts per day on this workstation; the key names the day so a new day
      // starts again at 1 without any job at midnight.
      const key = `visit_token:${v.day}` as const;
      const token = Number(this.meta.get(key) ?? '0') + 1;
      this.meta.set(key, String(token));
      const row = {
        id,
        patientId: v.patientId,
        doctorId: v.doctorId,
        appointmentId: v.appointmentId,
        day: v.day,
        token,
        priority: v.priority,
        status: 'waiting' as const,
        reason,
        createdBy: by,
        checkedInAt: at,
        calledAt: null,
        statusChangedAt: at,
      };
      this.db.insert(visits).values(row).run();
      this.capture.record('visits', id, [
        { column: 'patient_id', plain: v.patientId },
        { column: 'doctor_id', plain: v.doctorId },
        { column: 'appointment_id', plain: v.appointmentId },
        { column: 'day', plain: v.day },
        { column: 'token', plain: token },
        { column: 'priority', plain: v.priority },
        { column: 'status', plain: 'waiting' },
        { column: 'reason', envelope: reason },
        { column: 'created_by', plain: by },
        { column: 'checked_in_at', plain: at },
        { column: 'status_changed_at', plain: at },
      ]);
      alsoInTransaction?.(id);
      return { ...row, reason: v.reason };
    });
  }

  setStatus(visit: StoredVisit, status: VisitStatus): StoredVisit {
    const at = this.now();
    // The first call to the doctor ends the waiting time; going back to "waiting" keeps it.
    const calledAt = status === 'with-doctor' && visit.calledAt === null ? at : visit.calledAt;
    this.db.transaction(() => {
      this.db
        .update(visits)
        .set({ status, statusChangedAt: at, calledAt })
        .where(eq(visits.id, visit.id))
        .run();
      this.capture.record('visits', visit.id, [
        { column: 'status', plain: status },
        { column: 'status_changed_at', plain: at },
        ...(calledAt !== visit.calledAt ? [{ column: 'called_at' as const, plain: calledAt }] : []),
      ]);
    });
    return { ...visit, status, statusChangedAt: at, calledAt };
  }

  /** Gives an unassigned visit to a doctor (the doctor who called it). */
  assign(visit: StoredVisit, doctorId: string): StoredVisit {
    this.db.transaction(() => {
      this.db.update(visits).set({ doctorId }).where(eq(visits.id, visit.id)).run();
      this.capture.record('visits', visit.id, [{ column: 'doctor_id', plain: doctorId }]);
    });
    return { ...visit, doctorId };
  }

  forPatient(patientId: string): StoredVisit[] {
    return this.db
      .select()
      .from(visits)
      .where(eq(visits.patientId, patientId))
      .all()
      .map((r) => this.decode(r));
  }

  byId(id: string): StoredVisit | null {
    const row = this.db.select().from(visits).where(eq(visits.id, id)).get();
    return row ? this.decode(row) : null;
  }

  onDay(day: string, statuses?: readonly VisitStatus[]): StoredVisit[] {
    const where = statuses
      ? and(eq(visits.day, day), inArray(visits.status, [...statuses]))
      : eq(visits.day, day);
    return this.db
      .select()
      .from(visits)
      .where(where)
      .all()
      .map((r) => this.decode(r));
  }

  private decode(row: typeof visits.$inferSelect): StoredVisit {
    return { ...row, reason: this.codec.openText('visits', 'reason', row.id, row.reason) };
  }
}
