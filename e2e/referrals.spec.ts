import { readFile } from 'node:fs/promises';
import {
  addStaff,
  RECEPTIONIST as DESK_A,
  OTHER_CLINIC_RECEPTIONIST as DESK_B,
  DOCTOR,
  expect,
  logIn,
  openWindow,
  type Page,
  registerPatient,
  screen,
  setUpClinic,
  startWorkstation,
  test,
  type Workstation,
} from './harness';

/**
 * Referrals between two clinics, each with its own data directory and keychain: the admins
 * exchange clinic cards and confirm the fingerprint words, a doctor of the first clinic refers
 * a patient as a file, and the second clinic's receptionist opens it and registers the
 * patient with the same demographics.
 */

const B_ADMIN = { name: 'Bala Admin', username: 'bala', password: 'Neem-courtyard-64' };

let second: Workstation | null = null;
test.afterEach(async () => {
  await second?.close();
  second = null;
});

async function setUpSecondClinic(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByRole('heading', { name: 'Set up Kavach' })).toBeVisible();
  await page.getByLabel('Clinic name').fill('Riverside Clinic');
  await page.getByLabel('Your name').fill(B_ADMIN.name);
  await page.getByLabel('Username').fill(B_ADMIN.username);
  await page.getByLabel('Password', { exact: true }).fill(B_ADMIN.password);
  await page.getByLabel('Confirm password').fill(B_ADMIN.password);
  await page.getByLabel('Require a second factor for admins and doctors').uncheck();
  await page.getByLabel('Confirm password').press('Enter');
  await expect(page.getByRole('heading', { name: 'Staff' })).toBeVisible();
}

async function goTo(page: Page, link: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
  await expect(page.getByRole('heading', { name: link, level: 1 })).toBeVisible();
}

/** Exports this clinic's card: the downloaded file's path and the words shown. */
async function exportCard(admin: Page): Promise<{ path: string; words: string }> {
  await goTo(admin, 'Clinics');
  const saved = admin.waitForEvent('download');
  await admin.getByTestId('export-card').click();
  const file = await saved;
  const words = (await admin.getByTestId('own-words').textContent()) ?? '';
  expect(words.split(/\s+/).filter((w) => /^[a-z]+$/.test(w))).toHaveLength(8);
  return { path: await file.path(), words };
}

/** Imports the other clinic's card, compares the words read out, and confirms. */
async function importAndConfirm(
  admin: Page,
  card: { path: string; words: string },
  name: string,
): Promise<void> {
  await admin.getByTestId('import-card').setInputFiles(card.path);
  await expect(admin.getByTestId('imported-card')).toContainText(name);
  await expect(admin.getByTestId('imported-words')).toHaveText(card.words);
  await admin.getByRole('button', { name: 'The words match: confirm' }).click();
  await expect(admin.getByTestId('imported-card')).toContainText('Confirmed.');
  await expect(admin.getByTestId('clinic-cards')).toContainText(`Confirmed by`);
}

test('a doctor refers a patient to a second clinic as a file; its receptionist registers them', async ({
  page,
  browser,
  kavach,
}, testInfo) => {
  test.setTimeout(150_000);
  // Clinic A: admin, doctor and reception.
  await setUpClinic(page, kavach);
  await addStaff(page, DOCTOR);
  await addStaff(page, DESK_A);

  // Clinic B: its own core, data directory and keychain.
  second = await startWorkstation('clinic-b');
  const adminB = await (await browser.newContext()).newPage();
  await setUpSecondClinic(adminB, second.url);
  await addStaff(adminB, DESK_B);

  // The admins exchange cards and confirm each other's fingerprint words.
  const cardA = await exportCard(page);
  const cardB = await exportCard(adminB);
  await importAndConfirm(adminB, cardA, 'Sunrise Family Clinic');
  await importAndConfirm(page, cardB, 'Riverside Clinic');
  await screen(adminB, testInfo, 'referrals-clinics');

  // Reception A registers and checks the patient in for the doctor.
  const deskA = await openWindow(browser, kavach);
  await logIn(deskA, DESK_A.username, DESK_A.password);
  await expect(deskA.getByTestId('user-name')).toHaveText(DESK_A.displayName);
  const patient = await registerPatient(deskA, 'Lakshmi', 'Narayanan', 45);
  await deskA.getByRole('link', { name: 'Queue' }).click();
  await deskA.getByRole('button', { name: 'Check in a patient' }).click();
  await deskA.getByLabel('Find patient').fill('Lakshmi');
  await deskA.getByLabel('Find patient').press('Enter');
  await deskA.getByRole('button', { name: `Check in ${patient.name}` }).click();
  const form = deskA.getByRole('form', { name: `Check in ${patient.name}` });
  await form.getByLabel('Doctor').selectOption({ label: `${DOCTOR.displayName} — ${DOCTOR.department}` });
  await form.getByLabel('Routine').check();
  await form.getByLabel('Reason for visit').fill('Chest pain on exertion');
  await form.getByLabel('Reason for visit').press('Enter');
  await expect(form).toBeHidden();

  // The doctor opens the chart and refers the patient to Riverside Clinic.
  const doc = await openWindow(browser, kavach);
  await logIn(doc, DOCTOR.username, DOCTOR.password);
  const row = doc.getByTestId('doctor-queue-row-1');
  await expect(row).toContainText(patient.name);
  await row.getByRole('button', { name: /^Open/ }).click();
  await expect(doc.getByTestId('chart-summary')).toContainText(patient.patientNumber);
  await doc.getByTestId('refer-patient').click();
  const dialog = doc.getByTestId('refer-dialog');
  await expect(dialog.getByLabel('Refer to')).toContainText('Riverside Clinic');
  await dialog.getByLabel('Note to the other clinic').fill('Please assess for stable angina.');
  const sent = doc.waitForEvent('download');
  await dialog.getByTestId('refer-send').click();
  const pkgFile = await sent;
  expect(pkgFile.suggestedFilename()).toMatch(/^referral-\d{4}-\d\d-\d\d-[0-9a-f]{8}\.kavach-referral$/);
  await expect(dialog.getByTestId('refer-result')).toContainText('not connected to a sync server');
  const pkg = await readFile(await pkgFile.path());
  // The patient's name is nowhere in the package file.
  expect(pkg.includes(Buffer.from('Lakshmi'))).toBe(false);
  await screen(doc, testInfo, 'referrals-refer-dialog');

  // Reception B opens the file, sees the verified sender and the patient, and registers them.
  const deskB = await (await browser.newContext()).newPage();
  await deskB.goto(second.newLoginUrl());
  await logIn(deskB, DESK_B.username, DESK_B.password);
  await goTo(deskB, 'Referrals');
  await deskB.getByTestId('open-referral-file').setInputFiles(await pkgFile.path());
  const preview = deskB.getByTestId('referral-preview');
  await expect(preview.getByRole('heading', { name: 'Referral from Sunrise Family Clinic' })).toBeVisible();
  await expect(preview.getByTestId('preview-sender')).toContainText(cardA.words);
  await expect(preview.getByTestId('preview-name')).toHaveText('Lakshmi Narayanan');
  await expect(preview.getByTestId('preview-note')).toHaveText('Please assess for stable angina.');
  await screen(deskB, testInfo, 'referrals-preview');
  await preview.getByRole('button', { name: 'Register as a new patient' }).click();
  await expect(deskB.getByTestId('referrals-notice')).toContainText('Referral filed');
  await expect(deskB.getByTestId('inbox-row')).toContainText('filed');

  // Demographics equal on both sides.
  const there = await deskB.evaluate(async () => {
    const inbox = await window.kavach['referrals.inbox']({});
    if (!inbox.ok || !inbox.value[0]?.patientId) throw new Error('no accepted referral');
    return window.kavach['patients.get']({ id: inbox.value[0].patientId });
  });
  const here = await deskA.evaluate((id) => window.kavach['patients.get']({ id }), patient.id);
  if (!there.ok || !here.ok) throw new Error('patients.get failed');
  const pick = (r: typeof here.value) => ({
    givenNames: r.givenNames,
    familyName: r.familyName,
    sex: r.sex,
    birth: r.birth,
    phones: r.phones,
  });
  expect(pick(there.value)).toEqual(pick(here.value));
});
