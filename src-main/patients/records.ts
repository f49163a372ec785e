import { maskAadhaar } from '../../src-shared/aadhaar.js';
import { MAX_PHOTO_BYTES } from '../../src-shared/contract.js';
import { ageFrom } from '../../src-shared/patient.js';
import type { FieldHistoryEntry, PatientRecord } from '../../src-shared/types.js';
import { Failure } from '../ipc/failure.js';
import type { Handlers, Services } from '../ipc/handler-types.js';
import type { FieldKey, StoredPatient } from '../store/patients-repo.js';
import { storablePatient } from './handlers.js';
import { describeField } from './describe.js';
import { registrationSlip } from './slip.js';

export function requirePatient(s: Services, id: string): StoredPatient {
  const p = s.patients.byId(id);
  if (!p) throw new Failure('NOT_FOUND', 'No patient with that id.');
  return p;
}

export function recordOf(s: Services, p: StoredPatient): PatientRecord {
  const { nationalId, ...rest } = p;
  return {
    ...rest,
    ageYears: ageFrom(p.birth.date, s.today()),
    nationalIdMasked: nationalId ? maskAadhaar(nationalId) : '',
    hasPhoto: s.patients.photo(p.id) !== null,
    lastVisit: s.patients.lastVisits([p.id]).get(p.id) ?? null,
  };
}

/** JPEG and PNG by their first bytes: the declared type of an upload proves nothing. */
function imageMime(bytes: Buffer): 'image/jpeg' | 'image/png' | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return 'image/png';
  return null;
}

export const recordHandlers: Pick<
  Handlers,
  | 'patients.get'
  | 'patients.update'
  | 'patients.revealNationalId'
  | 'patients.history'
  | 'patients.setPhoto'
  | 'patients.photo'
  | 'patients.slip'
> = {
  'patients.get': (ctx, input) => {
    const p = requirePatient(ctx.services, input.id);
    ctx.subject('patient', p.id);
    return recordOf(ctx.services, p);
  },

  'patients.update': (ctx, input) => {
    const s = ctx.services;
    const current = requirePatient(s, input.id);
    const next = storablePatient(input.patient, s.today(), current);
    // The form holds only the masked number: keeping it means the stored one.
    if (input.keepNationalId) next.nationalId = current.nationalId;
    const changed = s.patients.correct(current, next, ctx.session.userId);
    // The audit names the fields, never their values: those live encrypted in the history.
    ctx.subject('patient', current.id, { changedFields: changed });
    return recordOf(s, requirePatient(s, current.id));
  },

  'patients.revealNationalId': (ctx, input) => {
    const p = requirePatient(ctx.services, input.id);
    if (!p.nationalId) throw new Failure('NOT_FOUND', 'No Aadhaar number is recorded for this patient.');
    ctx.subject('patient', p.id, { revealed: 'nationalId' });
    return { nationalId: p.nationalId };
  },

  'patients.history': (ctx, input) => {
    const s = ctx.services;
    const p = requirePatient(s, input.id);
    const names = new Map<string, string>();
    const nameOf = (id: string | null) => {
      if (id === null) return 'Unknown';
      if (!names.has(id)) names.set(id, s.users.byId(id)?.displayName ?? 'Unknown');
      return names.get(id) as string;
    };
    ctx.subject('patient', p.id, { view: 'history' });
    return s.patients.history(p.id).map(
      (h): FieldHistoryEntry => ({
        field: h.field,
        at: h.changedAt,
        byName: nameOf(h.changedBy),
        value: describeField(h.field as FieldKey, h.value),
        kind: h.kind,
      }),
    );
  },

  'patients.setPhoto': (ctx, input) => {
    const s = ctx.services;
    const p = requirePatient(s, input.id);
    if (input.imageBase64 === null) {
      s.patients.setPhoto(p.id, null);
      ctx.subject('patient', p.id, { photo: 'removed' });
      return null;
    }
    const bytes = Buffer.from(input.imageBase64, 'base64');
    if (bytes.length > MAX_PHOTO_BYTES) {
      throw new Failure('VALIDATION', 'The photo is larger than 1 MB.', { imageBase64: 'The photo is larger than 1 MB' });
    }
    const mime = imageMime(bytes);
    if (!mime) {
      throw new Failure('VALIDATION', 'The photo must be a JPEG or PNG image.', {
        imageBase64: 'The photo must be a JPEG or PNG image',
      });
    }
    s.patients.setPhoto(p.id, { mime, base64: bytes.toString('base64') });
    ctx.subject('patient', p.id, { photo: 'stored' });
    return null;
  },

  'patients.photo': (ctx, input) => {
    const p = requirePatient(ctx.services, input.id);
    ctx.subject('patient', p.id, { view: 'photo' });
    return ctx.services.patients.photo(p.id);
  },

  'patients.slip': async (ctx, input) => {
    const s = ctx.services;
    const p = requirePatient(s, input.id);
    const visit = input.visitId ? s.visits.byId(input.visitId) : null;
    if (input.visitId && (!visit || visit.patientId !== p.id)) {
      throw new Failure('NOT_FOUND', 'That visit does not belong to this patient.');
    }
    const doctorName = visit?.doctorId ? (s.users.byId(visit.doctorId)?.displayName ?? null) : null;
    const pdf = await registrationSlip({
      clinicName: s.settings.get()?.clinicName ?? 'Clinic',
      patient: p,
      ageYears: ageFrom(p.birth.date, s.today()),
      visit: visit ? { token: visit.token, day: visit.day, doctorName, checkedInAt: visit.checkedInAt } : null,
      printedAt: s.now(),
    });
    ctx.subject('patient', p.id, { printed: 'registration-slip' });
    return { fileName: `slip-${p.patientNumber}.pdf`, mime: 'application/pdf', base64: Buffer.from(pdf).toString('base64') };
  },
};
