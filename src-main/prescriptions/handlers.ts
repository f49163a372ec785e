import { randomUUID } from 'node:crypto';
import type { Prescription, PrescriptionOverride } from '../../src-shared/clinical/chart.js';
import {
  type AllergyRecord,
  checkAllergies,
  type PrescriptionContent,
  type PrescriptionItem,
  prescriptionDigest,
} from '../../src-shared/clinical/prescribing.js';
import { medicineById } from '../../src-shared/clinical/reference.js';
import { ageFrom } from '../../src-shared/patient.js';
import { verifyPassword } from '../auth/passwords.js';
import { acceptTotp } from '../auth/second-factor.js';
import { requireVisit } from '../doctor/handlers.js';
import { Failure } from '../ipc/failure.js';
import type { Handlers, Services } from '../ipc/handler-types.js';
import { requirePatient } from '../patients/records.js';
import { prescriptionPdf } from '../print/prescription.js';
import type { StoredPrescription } from '../store/clinical-repo.js';
import type { StoredPatient } from '../store/patients-repo.js';

interface StoredDiagnosisEntry {
  text: string;
  icd10: string;
}

/**
 * The prescription as the screens see it. `known` lets a caller that lists many (the chart)
 * pass the doctor's name and the replacing version's id it already has, instead of one
 * lookup and one decryption per prescription.
 */
export function toPrescription(
  s: Services,
  p: StoredPrescription,
  known?: { doctorName: string | null; supersededBy: string | null },
): Prescription {
  const c = p.content;
  const diagnosis = (c.diagnosis as unknown as StoredDiagnosisEntry[])
    .map((d) => (d.icd10 ? `${d.text} (${d.icd10})` : d.text))
    .join('; ');
  return {
    id: p.id,
    version: p.version,
    previousId: p.previousId,
    supersededBy: known ? known.supersededBy : s.clinical.supersededBy(p.id),
    patientId: p.patientId,
    visitId: p.visitId,
    doctorId: p.doctorId,
    doctorName: (known ? known.doctorName : s.users.byId(p.doctorId)?.displayName) ?? 'Unknown doctor',
    signedAt: p.signedAt,
    items: [...c.items],
    advice: c.advice,
    followUp: c.followUp,
    diagnosis,
    overrides: c.overrides as unknown as PrescriptionOverride[],
    digest: p.digest,
  };
}

/**
 * The patient's allergies that a prescription is checked against: the doctor's structured
 * list and the free-text allergies reception wrote at registration (treated as active, since
 * nobody has said otherwise).
 */
function allergiesOf(s: Services, p: StoredPatient): AllergyRecord[] {
  const structured = s.clinical
    .items(p.id)
    .filter((i) => i.kind === 'allergy')
    .map((i) => ({ substance: i.kind === 'allergy' ? i.substance : '', status: i.status }));
  return [...structured, ...p.allergies.map((a) => ({ substance: a, status: 'active' as const }))];
}

/** Formulary items carry the formulary's name when the doctor left the name empty. */
function named(items: PrescriptionItem[]): PrescriptionItem[] {
  return items.map((i) =>
    i.medicineId && i.name.trim() === '' ? { ...i, name: medicineById(i.medicineId)?.name ?? i.name } : i,
  );
}

function requirePrescription(s: Services, id: string): StoredPrescription {
  const p = s.clinical.prescription(id);
  if (!p) throw new Failure('NOT_FOUND', 'No prescription with that id.');
  return p;
}

export const prescriptionHandlers: Pick<
  Handlers,
  'prescriptions.sign' | 'prescriptions.get' | 'prescriptions.pdf'
> = {
  'prescriptions.sign': async (ctx, input) => {
    const s = ctx.services;
    const doctorId = ctx.session.userId!;
    const visit = requireVisit(s, input.visitId);
    const patient = requirePatient(s, visit.patientId);
    const items = named(input.items);

    let version = 1;
    if (input.previousId) {
      const previous = requirePrescription(s, input.previousId);
      if (previous.patientId !== patient.id) {
        throw new Failure('CONFLICT', 'The prescription being replaced belongs to another patient.', {
          previousId: 'Another patient’s prescription',
        });
      }
      const later = s.clinical.supersededBy(previous.id);
      if (later)
        throw new Failure(
          'CONFLICT',
          'That prescription has already been replaced by a newer version; edit the newest one.',
        );
      version = previous.version + 1;
    }

    // Every item that matches a recorded allergy needs the doctor's reason; the check runs
    // here whatever the screen showed.
    const flags = checkAllergies(items, allergiesOf(s, patient));
    const reasons = new Map(input.overrides.map((o) => [o.itemIndex, o.reason]));
    const missing: Record<string, string> = {};
    const overrides: PrescriptionOverride[] = [];
    for (const f of flags) {
      const reason = reasons.get(f.itemIndex);
      if (!reason) {
        missing[`items.${f.itemIndex}.override`] = `${f.message} Enter a reason to prescribe it anyway.`;
        continue;
      }
      if (!overrides.some((o) => o.itemIndex === f.itemIndex)) {
        overrides.push({
          itemIndex: f.itemIndex,
          itemName: items[f.itemIndex]!.name,
          allergy: f.allergySubstance,
          reason,
        });
      }
    }
    if (Object.keys(missing).length > 0) {
      throw new Failure(
        'VALIDATION',
        'An item matches a recorded allergy: give a reason to prescribe it anyway, or change the item.',
        missing,
      );
    }

    if (input.totp !== undefined) {
      // The second factor's code confirms the signature instead of the password.
      const outcome = acceptTotp(s, doctorId, input.totp);
      if (outcome !== 'ok') {
        s.security.record({
          kind: 'signature-refused',
          detail: { user: doctorId, channel: 'prescriptions.sign', factor: 'totp', reason: outcome },
        });
        const why =
          outcome === 'not-enrolled'
            ? 'You have no authenticator app set up; sign with your password.'
            : outcome === 'replayed'
              ? 'This code has already been used; wait for the next one.'
              : 'The code is not correct; the prescription was not signed.';
        throw new Failure('INVALID_CREDENTIALS', why, { totp: why });
      }
    }
    const valid =
      input.totp !== undefined ||
      (await verifyPassword(input.password ?? '', s.users.passwordHash(doctorId) ?? ''));
    if (!valid) {
      s.security.record({
        kind: 'signature-refused',
        detail: { user: doctorId, channel: 'prescriptions.sign' },
      });
      throw new Failure(
        'INVALID_CREDENTIALS',
        'The password is not correct; the prescription was not signed.',
        { password: 'Not correct' },
      );
    }

    const consultation = s.clinical.consultation(visit.id);
    const content: PrescriptionContent = {
      prescriptionId: randomUUID(),
      version,
      previousId: input.previousId,
      patientId: patient.id,
      visitId: visit.id,
      doctorId,
      signedAt: s.now(),
      items,
      advice: input.advice,
      followUp: input.followUp === '' ? null : input.followUp,
      diagnosis: consultation?.diagnosis ? [{ text: consultation.diagnosis, icd10: consultation.icd10 }] : [],
      overrides: overrides.map((o) => ({ ...o })),
    };
    const stored: StoredPrescription = {
      id: content.prescriptionId,
      patientId: patient.id,
      visitId: visit.id,
      doctorId,
      version,
      previousId: input.previousId,
      content,
      digest: prescriptionDigest(content),
      signedAt: content.signedAt,
    };
    s.clinical.insertPrescription(stored);
    ctx.subject('prescription', stored.id, {
      patient: patient.id,
      visit: visit.id,
      version,
      items: items.length,
      allergyOverrides: overrides.length,
    });
    return toPrescription(s, stored);
  },

  'prescriptions.get': (ctx, input) => {
    const s = ctx.services;
    const p = requirePrescription(s, input.id);
    ctx.subject('prescription', p.id, { patient: p.patientId });
    return toPrescription(s, p);
  },

  'prescriptions.pdf': async (ctx, input) => {
    const s = ctx.services;
    const p = toPrescription(s, requirePrescription(s, input.id));
    const patient = requirePatient(s, p.patientId);
    const doctor = s.users.byId(p.doctorId);
    const age = ageFrom(patient.birth.date, s.today());
    const pdf = await prescriptionPdf({
      clinic: { name: s.settings.get()?.clinicName ?? 'Clinic', address: null, phone: null },
      doctor: { displayName: p.doctorName, registrationNumber: doctor?.doctor?.registrationNumber ?? null },
      patient: {
        name: [patient.givenNames, patient.familyName].filter(Boolean).join(' '),
        patientNumber: patient.patientNumber,
        ageText: patient.birth.kind === 'approximate' ? `about ${age} years` : `${age} years`,
        sex: patient.sex,
      },
      prescriptionId: p.id,
      version: p.version,
      previousId: p.previousId,
      signedAt: p.signedAt,
      diagnosis: p.diagnosis || null,
      items: p.items.map((i) => ({
        name: i.name,
        form: i.form || null,
        strength: i.strength || null,
        dose: i.dose,
        route: i.route,
        frequency: i.frequency,
        durationDays: i.durationDays,
        quantity: i.quantity || null,
        instructions: i.instructions || null,
      })),
      advice: p.advice || null,
      followUp: p.followUp,
      overrides: p.overrides.map((o) => ({ itemName: o.itemName, reason: o.reason })),
      digest: p.digest,
      printedAt: s.now(),
    });
    ctx.subject('prescription', p.id, { patient: p.patientId, printed: true });
    return {
      fileName: `prescription-${patient.patientNumber}-v${p.version}.pdf`,
      mime: 'application/pdf',
      base64: Buffer.from(pdf).toString('base64'),
    };
  },
};
