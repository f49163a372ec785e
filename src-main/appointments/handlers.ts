import {
  addDays,
  minutesNow,
  minutesOf,
  overlappingSessions,
  slotStarts,
  timeOf,
  weekdayOf,
} from '../../src-shared/schedule.js';
import type { Appointment, DoctorSchedule } from '../../src-shared/types.js';
import { Failure } from '../ipc/failure.js';
import type { CallContext, Handlers, Services } from '../ipc/handler-types.js';
import { requirePatient } from '../patients/records.js';
import { LIVE_STATUSES, type StoredAppointment } from '../store/appointments-repo.js';
import type { StoredPatient } from '../store/patients-repo.js';
import { activeDoctor, visitSummarizer } from '../visits/handlers.js';

/** Admin sets anyone's hours; a doctor only their own. */
function mayEditSchedule(ctx: CallContext, doctorId: string): void {
  if (ctx.session.role === 'doctor' && ctx.session.userId !== doctorId) {
    throw new Failure('FORBIDDEN', 'Doctors can change only their own hours and leave.');
  }
}

function scheduleOf(s: Services, doctorId: string): DoctorSchedule {
  const sch = s.appointments.schedule(doctorId);
  return { ...sch, leave: s.appointments.leaveDays(doctorId, s.today()) };
}

/** Live bookings that overlap another live booking of the same doctor on the same day. */
function conflicted(list: StoredAppointment[]): Set<string> {
  const out = new Set<string>();
  const live = list.filter((a) => (LIVE_STATUSES as readonly string[]).includes(a.status));
  for (let i = 0; i < live.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = live[i] as StoredAppointment;
      const b = live[j] as StoredAppointment;
      if (a.doctorId === b.doctorId && a.date === b.date && a.startMin < b.endMin && b.startMin < a.endMin) {
        out.add(a.id);
        out.add(b.id);
      }
    }
  }
  return out;
}

function appointmentViews(s: Services, list: StoredAppointment[]): Appointment[] {
  const flagged = conflicted(list);
  const patients = new Map<string, StoredPatient>();
  const { doctorName } = visitSummarizer(s);
  return list.map((a) => {
    let p = patients.get(a.patientId);
    if (!p) {
      p = requirePatient(s, a.patientId);
      patients.set(p.id, p);
    }
    return {
      id: a.id,
      doctorId: a.doctorId,
      doctorName: doctorName(a.doctorId) ?? 'Unknown doctor',
      patientId: p.id,
      patientNumber: p.patientNumber,
      patientName: [p.givenNames, p.familyName].filter(Boolean).join(' '),
      date: a.date,
      start: timeOf(a.startMin),
      end: timeOf(a.endMin),
      reason: a.reason,
      status: a.status,
      visitId: a.visitId,
      conflict: flagged.has(a.id),
    };
  });
}

/** The slot a booking asks for, checked against the doctor's week, leave and the clock. */
function checkedSlot(s: Services, doctorId: string, date: string, start: string) {
  const doctor = activeDoctor(s, doctorId);
  const today = s.today();
  if (date < today)
    throw new Failure('VALIDATION', 'That date has passed.', { date: 'That date has passed' });
  if (date === today && minutesOf(start) < minutesNow(s.now())) {
    throw new Failure('VALIDATION', 'That time has already passed today.', {
      start: 'That time has already passed',
    });
  }
  if (s.appointments.isOnLeave(doctorId, date)) {
    throw new Failure('VALIDATION', `${doctor.displayName} is on leave that day.`, {
      date: 'The doctor is on leave that day',
    });
  }
  const schedule = s.appointments.schedule(doctorId);
  if (!slotStarts(schedule.weekly, weekdayOf(date), schedule.slotMinutes).includes(start)) {
    throw new Failure('VALIDATION', `${start} is not one of ${doctor.displayName}'s slots that day.`, {
      start: 'Not one of the doctor’s slots that day',
    });
  }
  const startMin = minutesOf(start);
  return { doctorId, date, startMin, endMin: startMin + schedule.slotMinutes };
}

const TAKEN = () =>
  new Failure('CONFLICT', 'That slot is already booked. Choose another.', {
    start: 'This slot is already booked',
  });

function requireAppointment(s: Services, id: string, status?: 'booked'): StoredAppointment {
  const a = s.appointments.byId(id);
  if (!a) throw new Failure('NOT_FOUND', 'No appointment with that id.');
  if (status && a.status !== status)
    throw new Failure('CONFLICT', `This appointment is already ${a.status.replace('-', ' ')}.`);
  return a;
}

export const appointmentHandlers: Pick<
  Handlers,
  | 'schedule.get'
  | 'schedule.set'
  | 'schedule.setLeave'
  | 'appointments.slots'
  | 'appointments.list'
  | 'appointments.book'
  | 'appointments.reschedule'
  | 'appointments.cancel'
  | 'appointments.checkIn'
> = {
  'schedule.get': (ctx, input) => {
    activeDoctor(ctx.services, input.doctorId);
    return scheduleOf(ctx.services, input.doctorId);
  },

  'schedule.set': (ctx, input) => {
    const s = ctx.services;
    activeDoctor(s, input.doctorId);
    mayEditSchedule(ctx, input.doctorId);
    const clash = overlappingSessions(input.weekly);
    if (clash !== null) {
      throw new Failure('VALIDATION', 'Two sessions on the same day overlap.', {
        [`weekly.${clash}.start`]: 'Overlaps another session that day',
      });
    }
    const weekly = [...input.weekly].sort(
      (a, b) => a.weekday - b.weekday || minutesOf(a.start) - minutesOf(b.start),
    );
    s.appointments.setSchedule({ doctorId: input.doctorId, slotMinutes: input.slotMinutes, weekly });
    ctx.subject('doctor-schedule', input.doctorId, {
      sessions: weekly.length,
      slotMinutes: input.slotMinutes,
    });
    return scheduleOf(s, input.doctorId);
  },

  'schedule.setLeave': (ctx, input) => {
    const s = ctx.services;
    activeDoctor(s, input.doctorId);
    mayEditSchedule(ctx, input.doctorId);
    if (input.onLeave && input.date < s.today()) {
      throw new Failure('VALIDATION', 'Leave cannot be added for a past day.', {
        date: 'That date has passed',
      });
    }
    s.appointments.setLeave(input.doctorId, input.date, input.onLeave, input.onLeave ? input.note : '');
    ctx.subject('doctor-leave', input.doctorId, { date: input.date, onLeave: input.onLeave });
    return scheduleOf(s, input.doctorId);
  },

  'appointments.slots': (ctx, input) => {
    const s = ctx.services;
    activeDoctor(s, input.doctorId);
    if (s.appointments.isOnLeave(input.doctorId, input.date))
      return { date: input.date, onLeave: true, slots: [] };
    const schedule = s.appointments.schedule(input.doctorId);
    const booked = s.appointments.liveOn(input.doctorId, input.date);
    const slots = slotStarts(schedule.weekly, weekdayOf(input.date), schedule.slotMinutes).map((start) => {
      const from = minutesOf(start);
      const to = from + schedule.slotMinutes;
      const ids = booked.filter((b) => b.startMin < to && from < b.endMin).map((b) => b.id);
      return { start, end: timeOf(to), free: ids.length === 0, appointmentIds: ids };
    });
    return { date: input.date, onLeave: false, slots };
  },

  'appointments.list': (ctx, input) => {
    const s = ctx.services;
    const doctors = input.doctor === 'all' ? null : [activeDoctor(s, input.doctor).id];
    const list = s.appointments.between(doctors, input.from, addDays(input.from, input.days - 1));
    ctx.subject('appointments', input.from, { doctor: input.doctor, days: input.days, rows: list.length });
    return appointmentViews(s, list);
  },

  'appointments.book': (ctx, input) => {
    const s = ctx.services;
    // A doctor books follow-ups in their own diary only; reception books for anyone.
    if (ctx.session.role === 'doctor' && ctx.session.userId !== input.doctorId) {
      throw new Failure('FORBIDDEN', 'Doctors can book only in their own diary.');
    }
    const patient = requirePatient(s, input.patientId);
    const slot = checkedSlot(s, input.doctorId, input.date, input.start);
    const booked = s.appointments.book(
      { ...slot, patientId: patient.id, reason: input.reason },
      ctx.session.userId,
    );
    if (!booked) throw TAKEN();
    ctx.subject('appointment', booked.id, { patient: patient.id, doctor: slot.doctorId, date: slot.date });
    return appointmentViews(s, [booked])[0] as Appointment;
  },

  'appointments.reschedule': (ctx, input) => {
    const s = ctx.services;
    const current = requireAppointment(s, input.id, 'booked');
    const slot = checkedSlot(s, input.doctorId, input.date, input.start);
    const moved = s.appointments.move(current, slot);
    if (!moved) throw TAKEN();
    ctx.subject('appointment', current.id, {
      from: `${current.date} ${timeOf(current.startMin)}`,
      to: `${slot.date} ${input.start}`,
    });
    return appointmentViews(s, [moved])[0] as Appointment;
  },

  'appointments.cancel': (ctx, input) => {
    const s = ctx.services;
    const current = requireAppointment(s, input.id, 'booked');
    const cancelled = s.appointments.setStatus(current, 'cancelled');
    ctx.subject('appointment', current.id, { status: 'cancelled' });
    return appointmentViews(s, [cancelled])[0] as Appointment;
  },

  'appointments.checkIn': (ctx, input) => {
    const s = ctx.services;
    const a = requireAppointment(s, input.id, 'booked');
    const today = s.today();
    if (a.date !== today) throw new Failure('CONFLICT', `This appointment is for ${a.date}, not today.`);
    const open = s.visits.onDay(today, ['waiting', 'with-doctor']).find((v) => v.patientId === a.patientId);
    if (open)
      throw new Failure('CONFLICT', `This patient is already in today's queue with token ${open.token}.`);
    const visit = s.visits.create(
      {
        patientId: a.patientId,
        doctorId: a.doctorId,
        appointmentId: a.id,
        day: today,
        priority: input.priority,
        reason: a.reason,
      },
      ctx.session.userId,
      (visitId) => s.appointments.setStatus(a, 'checked-in', visitId),
    );
    ctx.subject('visit', visit.id, { appointment: a.id, token: visit.token });
    return visitSummarizer(s).summarize(visit);
  },
};
