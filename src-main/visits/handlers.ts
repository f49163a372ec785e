import { ageFrom } from '../../src-shared/patient.js';
import type { Priority, QueueCount, VisitStatus, VisitSummary } from '../../src-shared/types.js';
import { Failure } from '../ipc/failure.js';
import type { Handlers, Services } from '../ipc/handler-types.js';
import { requirePatient } from '../patients/records.js';
import type { StoredPatient } from '../store/patients-repo.js';
import type { StoredVisit } from '../store/visits-repo.js';

const PRIORITY_ORDER: Record<Priority, number> = { emergency: 0, urgent: 1, routine: 2 };
const ACTIVE: readonly VisitStatus[] = ['waiting', 'with-doctor'];

/** Which moves a visit may make; a finished visit is not reopened from the queue. */
const NEXT: Record<VisitStatus, readonly VisitStatus[]> = {
  waiting: ['with-doctor', 'left', 'cancelled'],
  'with-doctor': ['waiting', 'done'],
  done: [],
  left: [],
  cancelled: [],
};

export function activeDoctor(s: Services, id: string): { id: string; displayName: string } {
  const u = s.users.byId(id);
  if (u?.role !== 'doctor' || !u.active) {
    throw new Failure('VALIDATION', 'Choose an active doctor.', { doctorId: 'Choose an active doctor' });
  }
  return { id: u.id, displayName: u.displayName };
}

/** Builds queue rows, decrypting each patient and doctor name once however many rows share it. */
export function visitSummarizer(s: Services) {
  const today = s.today();
  const now = s.now();
  const patients = new Map<string, StoredPatient>();
  const doctors = new Map<string, string | null>();
  const doctorName = (id: string | null) => {
    if (id === null) return null;
    if (!doctors.has(id)) doctors.set(id, s.users.byId(id)?.displayName ?? null);
    return doctors.get(id) ?? null;
  };
  const summarize = (v: StoredVisit): VisitSummary => {
    let p = patients.get(v.patientId);
    if (!p) {
      p = requirePatient(s, v.patientId);
      patients.set(p.id, p);
    }
    const waitedUntil = v.calledAt ?? (v.status === 'waiting' ? now : v.statusChangedAt);
    return {
      id: v.id,
      token: v.token,
      day: v.day,
      patientId: p.id,
      patientNumber: p.patientNumber,
      patientName: [p.givenNames, p.familyName].filter(Boolean).join(' '),
      ageYears: ageFrom(p.birth.date, today),
      sex: p.sex,
      doctorId: v.doctorId,
      doctorName: doctorName(v.doctorId),
      reason: v.reason,
      priority: v.priority,
      status: v.status,
      checkedInAt: v.checkedInAt,
      statusChangedAt: v.statusChangedAt,
      waitingMinutes: Math.max(0, Math.floor((waitedUntil - v.checkedInAt) / 60_000)),
      appointmentId: v.appointmentId,
    };
  };
  return { summarize, doctorName };
}

/** Emergencies first, then urgent, then routine; within a priority, by token. */
export function queueOrder(a: StoredVisit, b: StoredVisit): number {
  return PRIORITY_ORDER[a.priority] - PRIORITY_ORDER[b.priority] || a.token - b.token;
}

export const visitHandlers: Pick<
  Handlers,
  'doctors.list' | 'visits.checkIn' | 'visits.queue' | 'visits.setStatus'
> = {
  'doctors.list': (ctx) => {
    const s = ctx.services;
    const today = s.today();
    return s.users
      .list(false)
      .filter((u) => u.role === 'doctor')
      .map((u) => ({
        id: u.id,
        displayName: u.displayName,
        department: u.doctor?.department ?? '',
        onLeaveToday: s.appointments.isOnLeave(u.id, today),
      }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
  },

  'visits.checkIn': (ctx, input) => {
    const s = ctx.services;
    const patient = requirePatient(s, input.patientId);
    if (input.doctorId) activeDoctor(s, input.doctorId);
    const today = s.today();
    const open = s.visits.onDay(today, ACTIVE).find((v) => v.patientId === patient.id);
    if (open) {
      throw new Failure('CONFLICT', `This patient is already in today's queue with token ${open.token}.`);
    }
    const visit = s.visits.create(
      {
        patientId: patient.id,
        doctorId: input.doctorId,
        appointmentId: null,
        day: today,
        priority: input.priority,
        reason: input.reason,
      },
      ctx.session.userId,
    );
    ctx.subject('visit', visit.id, { patient: patient.id, token: visit.token, priority: visit.priority });
    return visitSummarizer(s).summarize(visit);
  },

  'visits.queue': (ctx, input) => {
    const s = ctx.services;
    const today = s.today();
    const all = s.visits.onDay(today);
    const { summarize, doctorName } = visitSummarizer(s);
    const counts = new Map<string | null, QueueCount>();
    for (const v of all) {
      if (!ACTIVE.includes(v.status)) continue;
      const c = counts.get(v.doctorId) ?? {
        doctorId: v.doctorId,
        doctorName: doctorName(v.doctorId) ?? 'Next available',
        waiting: 0,
        withDoctor: 0,
      };
      if (v.status === 'waiting') c.waiting++;
      else c.withDoctor++;
      counts.set(v.doctorId, c);
    }
    const shown = all
      .filter((v) => input.includeFinished || ACTIVE.includes(v.status))
      .filter((v) =>
        input.doctor === 'all'
          ? true
          : input.doctor === 'unassigned'
            ? v.doctorId === null
            : input.doctor === 'mine'
              ? v.doctorId === null || v.doctorId === ctx.session.userId
              : v.doctorId === input.doctor,
      )
      .sort(queueOrder);
    ctx.subject('queue', today, { doctor: input.doctor, rows: shown.length });
    return {
      day: today,
      visits: shown.map(summarize),
      counts: [...counts.values()].sort((a, b) => a.doctorName.localeCompare(b.doctorName)),
    };
  },

  'visits.setStatus': (ctx, input) => {
    const s = ctx.services;
    const visit = s.visits.byId(input.id);
    if (!visit) throw new Failure('NOT_FOUND', 'No visit with that id.');
    if (!NEXT[visit.status].includes(input.status)) {
      throw new Failure(
        'CONFLICT',
        `A visit that is ${visit.status.replace('-', ' ')} cannot become ${input.status.replace('-', ' ')}.`,
        {
          status: 'Not allowed from the current status',
        },
      );
    }
    // A doctor who calls an unassigned patient becomes their doctor.
    const mine =
      ctx.session.role === 'doctor' && input.status === 'with-doctor' && visit.doctorId === null
        ? s.visits.assign(visit, ctx.session.userId!)
        : visit;
    const updated = s.visits.setStatus(mine, input.status);
    ctx.subject('visit', visit.id, { from: visit.status, to: input.status });
    return visitSummarizer(s).summarize(updated);
  },
};
