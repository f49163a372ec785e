import { readFile } from 'node:fs/promises';
import {
  addStaff,
  RECEPTIONIST as DESK,
  OTHER_CLINIC_RECEPTIONIST as DESK_B,
  DOCTOR,
  expect,
  logIn,
  openWindow,
  type Page,
  screen,
  setUpClinic,
  startWorkstation,
  test,
  type Workstation,
} from './harness';

/**
 * FHIR exchange between two clinics (issue 8): reception registers a patient through the
 * form, the doctor exports the record as FHIR from the Exchange screen (a download), and a
 * second, empty clinic's receptionist imports the file there; the demographics shown in
 * the preview are the ones typed in the first clinic.
 */

const B_ADMIN = { name: 'Bala Admin', username: 'bala', password: 'Neem-courtyard-64' };

const PATIENT = {
  given: 'Meenakshi',
  family: "D'Souza",
  sex: 'female',
  dob: '1986-09-23',
  phone: '9876543210',
  line: '7 Church Road',
  city: 'Mangaluru',
  aadhaar: '2345 6789 0124',
  language: 'Tulu',
};

let second: Workstation | null = null;
test.afterEach(async () => {
  await second?.close();
  second = null;
});

async function goTo(page: Page, link: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
  await expect(page.getByRole('heading', { name: link, level: 1 })).toBeVisible();
}

async function registerThroughForm(desk: Page): Promise<string> {
  await desk.getByRole('button', { name: /Register new patient/ }).click();
  const form = desk.getByRole('form', { name: 'Register new patient' });
  await form.getByLabel('Given name(s)').fill(PATIENT.given);
  await form.getByLabel('Family name').fill(PATIENT.family);
  await form.getByLabel('Sex', { exact: true }).selectOption(PATIENT.sex);
  await form.getByLabel('Date of birth').fill(PATIENT.dob);
  await form.getByLabel('Phone', { exact: true }).fill(PATIENT.phone);
  await form.getByRole('button', { name: /More details/ }).click();
  await form.getByLabel('Address line').fill(PATIENT.line);
  await form.getByLabel('Village or city').fill(PATIENT.city);
  await form.getByLabel('Aadhaar number').fill(PATIENT.aadhaar);
  await form.getByLabel('Preferred language').fill(PATIENT.language);
  await form.getByLabel('Preferred language').press('Enter');
  const number = desk.getByTestId('registered-number');
  await expect(number).toHaveText(/\S+-\d{5}/);
  return (await number.textContent()) ?? '';
}

test('a FHIR export of a patient registered at reception imports into an empty clinic with the same demographics', async ({
  page,
  browser,
  kavach,
}, testInfo) => {
  test.setTimeout(150_000);
  await setUpClinic(page, kavach);
  await addStaff(page, DOCTOR);
  await addStaff(page, DESK);

  const desk = await openWindow(browser, kavach);
  await logIn(desk, DESK.username, DESK.password);
  const patientNumber = await registerThroughForm(desk);

  // The doctor exports the record from the Exchange screen: a download.
  const doctor = await openWindow(browser, kavach);
  await logIn(doctor, DOCTOR.username, DOCTOR.password);
  await goTo(doctor, 'Exchange');
  await doctor.getByLabel('Find a patient').fill(PATIENT.given);
  await expect(doctor.getByRole('listbox', { name: 'Patients found' })).toContainText(patientNumber);
  await doctor.getByLabel('Find a patient').press('Enter');
  await expect(doctor.getByTestId('export-patient')).toContainText(patientNumber);
  const saved = doctor.waitForEvent('download');
  await doctor.getByRole('button', { name: 'Export FHIR' }).click();
  const file = await saved;
  expect(file.suggestedFilename()).toMatch(
    new RegExp(`^kavach-fhir-${patientNumber}-\\d{4}-\\d{2}-\\d{2}\\.json$`),
  );
  const path = await file.path();
  const bundle = JSON.parse(await readFile(path, 'utf8'));
  expect(bundle.resourceType).toBe('Bundle');

  // Clinic B: its own core, data directory and keychain, with no patients.
  second = await startWorkstation('clinic-b');
  const adminB = await (await browser.newContext()).newPage();
  await adminB.goto(second.url);
  await adminB.getByLabel('Clinic name').fill('Riverside Clinic');
  await adminB.getByLabel('Your name').fill(B_ADMIN.name);
  await adminB.getByLabel('Username').fill(B_ADMIN.username);
  await adminB.getByLabel('Password', { exact: true }).fill(B_ADMIN.password);
  await adminB.getByLabel('Confirm password').fill(B_ADMIN.password);
  await adminB.getByLabel('Require a second factor for admins and doctors').uncheck();
  await adminB.getByLabel('Confirm password').press('Enter');
  await expect(adminB.getByRole('heading', { name: 'Staff' })).toBeVisible();
  await addStaff(adminB, DESK_B);
  const deskB = await (await browser.newContext()).newPage();
  await deskB.goto(second.newLoginUrl());
  await logIn(deskB, DESK_B.username, DESK_B.password);
  await goTo(deskB, 'Exchange');

  const panel = deskB.getByTestId('import-fhir');
  await panel.getByTestId('import-fhir-file').setInputFiles(path);
  await panel.getByRole('button', { name: 'Preview' }).click();
  const preview = panel.getByTestId('import-fhir-preview');
  await expect(preview.getByTestId('preview-name')).toHaveText(`${PATIENT.given} ${PATIENT.family}`);
  await expect(preview.getByTestId('preview-sex')).toHaveText('Female');
  await expect(preview.getByTestId('preview-birth')).toHaveText(PATIENT.dob);
  await expect(preview.getByTestId('preview-phones')).toHaveText(`${PATIENT.phone} (mobile)`);
  await expect(preview.getByTestId('preview-address')).toHaveText(`${PATIENT.line}, ${PATIENT.city}`);
  await expect(preview.getByTestId('preview-aadhaar')).toHaveText(`XXXX XXXX ${PATIENT.aadhaar.slice(-4)}`);
  await expect(preview.getByTestId('preview-language')).toHaveText(PATIENT.language);
  await expect(preview.getByTestId('preview-no-candidates')).toBeVisible();
  await screen(deskB, testInfo, 'interop-fhir-preview');
  await preview.getByRole('button', { name: 'Register as new patient' }).click();
  await expect(panel.getByTestId('import-fhir-done')).toHaveText('Registered; 0 allergies charted.');

  // The same file again now finds the patient just registered.
  await panel.getByRole('button', { name: 'Preview' }).click();
  await expect(panel.getByTestId('preview-candidates')).toContainText(`${PATIENT.given} ${PATIENT.family}`);
  await expect(panel.getByTestId('preview-candidates')).toContainText('Same Aadhaar number');
});
