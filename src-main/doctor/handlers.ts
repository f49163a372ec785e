import type {
  ChartItem,
  Consultation,
  ConsultationDraft,
  PatientChart,
  TimelineEntry,
  TypedVitals,
  VitalsPoint,
} from '../../src-shared/clinical/chart.js';
import { vitalsFromTyped } from '../../src-shared/clinical/chart.js';
import { ageFrom } from '../../src-shared/patient.js';
import { Failure } from '../ipc/failure.js';
import type { CallContext, Handlers, Services } from '../ipc/handler-types.js';
import { requirePatient } from '../patients/records.js';
import { toPrescription } from '../prescriptions/handlers.js';
import type { StoredConsultation } from '../store/clinical-repo.js';
import type { StoredVisit } from '../store/visits-repo.js';
import { queueOrder, visitSummarizer } from '../visits/handlers.js';

export function requireVisit(s: Services, id: string): StoredVisit {
  const v = s.visits.byId(id);
  if (!v) throw new Failure('NOT_FOUND', 'No visit with that id.');
  return v;
}

export function consultationOf(c: StoredConsultation): Consultation {
  const { startedAt: _started, ...rest } = c;
  return rest;
}

/** A visit the doctor may still write for: waiting or with a doctor, not finished. */
function openVisit(s: Services, visitId: string): StoredVisit {
  const visit = requireVisit(s, visitId);
  if (visit.status !== 'waiting' && visit.status !== 'with-doctor') {
    throw new Failure(
      'CONFLICT',
      `This visit is ${visit.status.replace('-', ' ')}; its consultation can no longer change.`,
    );
  }
  if (s.clinical.consultationStatus(visit.id) === 'final')
    throw new Failure('CONFLICT', 'This consultation is already finished.');
  return visit;
}

function draftOf(input: ConsultationDraft & { visitId: string }): ConsultationDraft {
  const { visitId: _v, ...draft } = input;
  return draft;
}

function vitalsPoint(visit: StoredVisit, vitals: TypedVitals): VitalsPoint | null {
  const v = vitalsFromTyped(vitals);
  if (v.systolicMmHg === null && v.diastolicMmHg === null && v.weightKg === null) return null;
  return {
    visitId: visit.id,
    day: visit.day,
    systolicMmHg: v.systolicMmHg,
    diastolicMmHg: v.diastolicMmHg,
    weightKg: v.weightKg,
  };
}

function chartOf(ctx: CallContext, patientId: string): PatientChart {
  const s = ctx.services;
  const p = requirePatient(s, patientId);
  const items = s.clinical.items(p.id);
  const byKind = (k: ChartItem['kind']) => items.filter((i) => i.kind === k);
  const visits = s.visits
    .forPatient(p.id)
    .sort((a, b) => (a.day === b.day ? b.checkedInAt - a.checkedInAt : a.day < b.day ? 1 : -1));
  const consultations = s.clinical.consultationsFor(visits.map((v) => v.id));
  const prescriptions = s.clinical.prescriptionsForPatient(p.id);
  const { doctorName } = visitSummarizer(s);
  const replacedBy = new Map(prescriptions.filter((r) => r.previousId).map((r) => [r.previousId!, r.id]));
  const timeline: TimelineEntry[] = visits.map((v) => {
    const c = consultations.get(v.id) ?? null;
    return {
      visitId: v.id,
      day: v.day,
      status: v.status,
      reason: v.reason,
      doctorName: doctorName(v.doctorId),
      consultation: c ? consultationOf(c) : null,
      prescriptions: prescriptions
        .filter((r) => r.visitId === v.id)
        .map((r) =>
          toPrescription(s, r, {
            doctorName: doctorName(r.doctorId),
            supersededBy: replacedBy.get(r.id) ?? null,
          }),
        ),
    };
  });
  const vitals: VitalsPoint[] = [];
  for (const v of [...visits].reverse()) {
    const c = consultations.get(v.id);
    const point = c ? vitalsPoint(v, c.vitals) : null;
    if (point) vitals.push(point);
  }
  return {
    patient: {
      id: p.id,
      patientNumber: p.patientNumber,
      name: [p.givenNames, p.familyName].filter(Boolean).join(' '),
      ageYears: ageFrom(p.birth.date, s.today()),
      sex: p.sex,
      bloodGroup: p.bloodGroup === 'unknown' ? null : p.bloodGroup,
      registeredAllergies: p.allergies,
      registeredConditions: p.chronicConditions,
    },
    allergies: byKind('allergy'),
    conditions: byKind('condition'),
    medications: byKind('medication'),
    timeline,
    vitals,
    attachments: s.attachments.list(p.id),
  };
}

export const doctorHandlers: Pick<
  Handlers,
  | 'visits.callNext'
  | 'chart.open'
  | 'chart.saveItem'
  | 'consultations.get'
  | 'consultations.saveDraft'
  | 'consultations.finish'
> = {
  'visits.callNext': (ctx) => {
    const s = ctx.services;
    const me = ctx.session.userId!;
    const waiting = s.visits
      .onDay(s.today(), ['waiting'])
      .filter((v) => v.doctorId === me || v.doctorId === null)
      .sort(queueOrder);
    const next = waiting[0];
    if (!next) return null;
    const assigned = next.doctorId === null ? s.visits.assign(next, me) : next;
    const called = s.visits.setStatus(assigned, 'with-doctor');
    ctx.subject('visit', called.id, { from: 'waiting', to: 'with-doctor', assigned: next.doctorId === null });
    return visitSummarizer(s).summarize(called);
  },

  'chart.open': (ctx, input) => {
    const chart = chartOf(ctx, input.patientId);
    ctx.subject('patient', chart.patient.id, {
      chart: true,
      visits: chart.timeline.length,
      attachments: chart.attachments.length,
    });
    return chart;
  },

  'chart.saveItem': (ctx, input) => {
    const s = ctx.services;
    const p = requirePatient(s, input.patientId);
    try {
      const item = s.clinical.saveItem(p.id, input.id, input.details, ctx.session.userId);
      ctx.subject('chart-item', item.id, { patient: p.id, kind: item.kind, created: input.id === null });
      return item;
    } catch (e) {
      if (e instanceof RangeError)
        throw new Failure('NOT_FOUND', 'No such item of this kind in this patient’s chart.');
      throw e;
    }
  },

  'consultations.get': (ctx, input) => {
    const s = ctx.services;
    const visit = requireVisit(s, input.visitId);
    const c = s.clinical.consultation(visit.id);
    ctx.subject('consultation', visit.id, { patient: visit.patientId });
    return c ? consultationOf(c) : null;
  },

  'consultations.saveDraft': (ctx, input) => {
    const s = ctx.services;
    const visit = openVisit(s, input.visitId);
    const saved = s.clinical.saveConsultation(visit, ctx.session.userId, draftOf(input), 'draft');
    ctx.subject('consultation', visit.id, { patient: visit.patientId, status: 'draft' });
    return consultationOf(saved);
  },

  'consultations.finish': (ctx, input) => {
    const s = ctx.services;
    let visit = openVisit(s, input.visitId);
    const saved = s.clinical.saveConsultation(visit, ctx.session.userId, draftOf(input), 'final');
    if (visit.status === 'waiting') visit = s.visits.setStatus(visit, 'with-doctor');
    s.visits.setStatus(visit, 'done');
    ctx.subject('consultation', visit.id, { patient: visit.patientId, status: 'final' });
    return consultationOf(saved);
  },
};
