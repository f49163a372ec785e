import { readFile } from 'node:fs/promises';
import {
  addStaff,
  DOCTOR,
  expect,
  logIn,
  openWindow,
  type Page,
  RECEPTIONIST,
  type RegisteredPatient,
  registerPatient,
  screen,
  setUpClinic,
  test,
} from './harness';

/**
 * The doctor's consultation: the patient reception checked in shows in the doctor's queue;
 * the doctor opens the chart, records an allergy, vitals and a diagnosis, prescribes a
 * drug the allergy warns about (with a reason), signs with the password, prints the PDF,
 * signs a second version, is stopped by an implausible pulse and finishes the visit.
 * Reception cannot reach the clinical channels at all.
 */

const DOCTOR_OPTION = `${DOCTOR.displayName} — ${DOCTOR.department}`;
/** A 4×4 PNG, small enough to write inline. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGM4IScHRwzEcQCxYxBBO0tjggAAAABJRU5ErkJggg==',
  'base64',
);
const OVERRIDE = 'Tolerated amoxicillin in 2023 under observation';

async function checkIn(desk: Page, patient: RegisteredPatient, reason: string): Promise<void> {
  await desk.getByRole('link', { name: 'Queue' }).click();
  await desk.getByRole('button', { name: 'Check in a patient' }).click();
  await desk.getByLabel('Find patient').fill(patient.name.split(' ')[0] ?? '');
  await desk.getByLabel('Find patient').press('Enter');
  await desk.getByRole('button', { name: `Check in ${patient.name}` }).click();
  const form = desk.getByRole('form', { name: `Check in ${patient.name}` });
  await form.getByLabel('Doctor').selectOption({ label: DOCTOR_OPTION });
  await form.getByLabel('Routine').check();
  await form.getByLabel('Reason for visit').fill(reason);
  await form.getByLabel('Reason for visit').press('Enter');
  await expect(form).toBeHidden();
  await expect(desk.getByTestId('queue-notice')).toHaveText(
    `Token 1: ${patient.name} is checked in for ${DOCTOR.displayName}.`,
  );
}

async function signWithPassword(doc: Page, button: string): Promise<void> {
  await doc.getByRole('button', { name: button }).click();
  const dialog = doc.getByTestId('sign-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Your password').fill(DOCTOR.password);
  await dialog.getByRole('button', { name: 'Sign', exact: true }).click();
  await expect(dialog).toBeHidden();
}

test('doctor: queue, chart, allergy, vitals, diagnosis, signed prescription with override, PDF, version 2, finish', async ({
  page,
  browser,
  kavach,
}, testInfo) => {
  test.setTimeout(180_000);
  await setUpClinic(page, kavach);
  await addStaff(page, DOCTOR);
  await addStaff(page, RECEPTIONIST);

  // Reception registers and checks the patient in for the doctor.
  const desk = await openWindow(browser, kavach);
  await logIn(desk, RECEPTIONIST.username, RECEPTIONIST.password);
  await expect(desk.getByTestId('user-name')).toHaveText(RECEPTIONIST.displayName);
  const patient = await registerPatient(desk, 'Lakshmi', 'Narayanan', 45);
  await checkIn(desk, patient, 'Sore throat and fever');

  // The doctor sees the patient in their queue and opens the chart.
  const doc = await openWindow(browser, kavach);
  await logIn(doc, DOCTOR.username, DOCTOR.password);
  await expect(doc.getByRole('heading', { name: 'My queue' })).toBeVisible();
  const row = doc.getByTestId('doctor-queue-row-1');
  await expect(row).toContainText(patient.name);
  await expect(row).toContainText('Sore throat and fever');
  await screen(doc, testInfo, 'doctor-queue');
  await row.getByRole('button', { name: /^Open/ }).click();
  await expect(doc.getByRole('heading', { name: `Token 1: ${patient.name}` })).toBeVisible();
  await expect(doc.getByTestId('chart-summary')).toContainText(patient.patientNumber);

  // A penicillin allergy goes into the chart.
  await doc.getByRole('button', { name: 'Add allergy' }).click();
  const allergyForm = doc.getByRole('form', { name: 'Add allergy' });
  await allergyForm.getByLabel('Substance').fill('penicillin');
  await allergyForm.getByLabel('Reaction').fill('Rash and wheeze');
  await allergyForm.getByLabel('Severity').selectOption('severe');
  await allergyForm.getByRole('button', { name: 'Save allergy' }).click();
  await expect(allergyForm).toBeHidden();
  await expect(doc.getByTestId('chart-allergies')).toContainText('penicillin');
  await expect(doc.getByTestId('chart-allergies')).toContainText('Rash and wheeze');

  // A lab image goes up in pieces, is drawn on a canvas, and downloads again byte for byte.
  await doc
    .getByLabel('Attachment file')
    .setInputFiles({ name: 'throat-swab.png', mimeType: 'image/png', buffer: PNG });
  await expect(doc.getByTestId('attachment-status')).toHaveText('throat-swab.png was added.');
  const attachments = doc.getByTestId('attachments');
  await expect(attachments).toContainText('throat-swab.png');
  await attachments.getByRole('button', { name: 'Preview throat-swab.png' }).click();
  await expect(doc.getByRole('img', { name: 'Preview of throat-swab.png' })).toBeVisible();
  const saved = doc.waitForEvent('download');
  await attachments.getByRole('button', { name: 'Download throat-swab.png' }).click();
  const file = await saved;
  expect(file.suggestedFilename()).toBe('throat-swab.png');
  expect(Buffer.compare(await readFile(await file.path()), PNG)).toBe(0);
  await screen(doc, testInfo, 'doctor-chart');

  // Notes, vitals (BMI shown as typed) and a diagnosis; the draft saves itself.
  await doc.getByLabel('Complaints').fill('Sore throat, fever for 3 days');
  await doc.getByLabel('BP systolic (mmHg)').fill('128');
  await doc.getByLabel('BP diastolic (mmHg)').fill('82');
  await doc.getByLabel('Pulse (per minute)').fill('88');
  await doc.getByLabel('Temperature (°C)').fill('38.4');
  await doc.getByLabel('Weight (kg)').fill('62');
  await doc.getByLabel('Height (cm)').fill('160');
  await expect(doc.getByTestId('bmi')).toHaveText('24.2 (Normal weight)');
  await doc.getByLabel('ICD-10 code').fill('J02.9');
  await expect(doc.getByTestId('icd-title').first()).toBeVisible();
  await doc.getByLabel('Diagnosis').fill('Acute pharyngitis');
  await doc.getByLabel('Advice').fill('Warm saline gargles, plenty of fluids');
  await expect(doc.getByTestId('draft-status')).toHaveText(/^Draft saved \d\d:\d\d$/);
  await screen(doc, testInfo, 'doctor-consultation');

  // Amoxicillin for a penicillin-allergic patient: the warning shows and needs a reason.
  const item = doc.getByRole('group', { name: 'Item 1' });
  await item.getByLabel('Medicine').fill('amoxicillin');
  await expect(item.getByText('From the formulary')).toBeVisible();
  await item.getByLabel('Form and strength').selectOption({ label: 'capsule 500 mg' });
  await item.getByLabel('Dose').fill('1 capsule');
  await item.getByLabel('Frequency').fill('TDS');
  await item.getByLabel('Duration (days)').fill('5');
  await expect(item.getByLabel('Quantity')).toHaveValue('15 capsules');
  await item.getByLabel('Instructions').fill('after food');
  await expect(item.getByTestId('allergy-warning')).toContainText('penicillin');
  await doc.getByRole('button', { name: 'Sign prescription' }).click();
  await expect(doc.getByTestId('rx-error')).toContainText('needs a reason');
  await expect(doc.getByTestId('sign-dialog')).toHaveCount(0);
  await item.getByLabel('Reason to prescribe item 1 despite the allergy').fill(OVERRIDE);
  await signWithPassword(doc, 'Sign prescription');
  const signed = doc.getByTestId('signed-prescription');
  await expect(signed.getByTestId('rx-version')).toHaveText('Version 1');
  await expect(signed.getByTestId('rx-digest')).toHaveText(/^[0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4}$/);
  await expect(signed).toContainText(OVERRIDE);
  await screen(doc, testInfo, 'doctor-prescription');

  const download = doc.waitForEvent('download');
  await signed.getByRole('button', { name: 'Print PDF' }).click();
  const pdf = await download;
  expect(pdf.suggestedFilename()).toMatch(/\.pdf$/);
  const bytes = await readFile(await pdf.path());
  expect(bytes.length).toBeGreaterThan(1024);
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('%PDF');

  // A new version starts from the signed items and keeps the reason.
  await signed.getByRole('button', { name: 'Edit (new version)' }).click();
  await expect(item.getByLabel('Medicine')).toHaveValue('amoxicillin');
  await expect(item.getByLabel('Reason to prescribe item 1 despite the allergy')).toHaveValue(OVERRIDE);
  await item.getByLabel('Duration (days)').fill('7');
  await item.getByLabel('Quantity').fill('21 capsules');
  await signWithPassword(doc, 'Sign new version');
  await expect(doc.getByTestId('rx-version')).toHaveText('Version 2');
  await screen(doc, testInfo, 'doctor-prescription-v2');

  // An implausible pulse stops the finish, beside the field.
  await doc.getByLabel('Pulse (per minute)').fill('400');
  await doc.getByRole('button', { name: 'Finish consultation' }).click();
  await expect(doc.getByText('Pulse must be between 20 and 250 per minute')).toBeVisible();
  await expect(doc.getByLabel('Pulse (per minute)')).toHaveAttribute('aria-invalid', 'true');
  await doc.getByLabel('Pulse (per minute)').fill('88');
  await doc.getByRole('button', { name: 'Finish consultation' }).click();
  await expect(doc.getByRole('heading', { name: 'My queue' })).toBeVisible();
  await expect(doc.getByTestId('doctor-queue-empty')).toBeVisible();

  // Reception sees the visit done, and cannot write clinical records through the bridge.
  const visitId = await desk.evaluate(async () => {
    const r = await window.kavach['visits.queue']({ doctor: 'all', includeFinished: true });
    return r.ok ? (r.value.visits[0]?.id ?? '') : '';
  });
  expect(visitId).not.toBe('');
  const draft = await desk.evaluate(
    (id) =>
      window.kavach['consultations.saveDraft']({
        visitId: id,
        complaints: 'Hijacked',
        history: '',
        examination: '',
        vitals: {
          systolicMmHg: '',
          diastolicMmHg: '',
          pulsePerMin: '',
          temperatureC: '',
          spo2Percent: '',
          respiratoryRatePerMin: '',
          weightKg: '',
          heightCm: '',
        },
        diagnosis: '',
        icd10: '',
        advice: '',
        followUp: '',
      }),
    visitId,
  );
  expect(draft).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect(draft).not.toHaveProperty('value');
  const sign = await desk.evaluate(
    ([id, password]) =>
      window.kavach['prescriptions.sign']({
        visitId: id,
        previousId: null,
        items: [
          {
            medicineId: 'amoxicillin',
            name: 'amoxicillin',
            form: 'capsule',
            strength: '500 mg',
            dose: '1 capsule',
            route: 'oral',
            frequency: 'TDS',
            durationDays: 5,
            quantity: '15 capsules',
            instructions: '',
          },
        ],
        advice: '',
        followUp: '',
        overrides: [],
        password,
      }),
    [visitId, RECEPTIONIST.password] as const,
  );
  expect(sign).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect(sign).not.toHaveProperty('value');
});
