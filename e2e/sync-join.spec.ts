import { createServer, type RunningServer } from '../src-server/app.js';
import {
  addStaff,
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
 * The whole join journey with a real sync server (PGlite, in-process): the first
 * workstation connects with the founding code, an admin makes an enrollment code, a second
 * workstation (own core, data and keychain) joins with it, and the receptionist logs in
 * there with their usual password and finds a patient registered on the first.
 */

const DESK = { username: 'meera.d', displayName: 'Meera Das', role: 'receptionist' as const, password: 'Front-desk-evening-3' };

let server: RunningServer | null = null;
let second: Workstation | null = null;

test.afterEach(async () => {
  await second?.close();
  second = null;
  await server?.close();
  server = null;
});

async function fillServerForm(page: Page, serverUrl: string, code: string, deviceName: string) {
  await page.getByLabel('Server address').fill(serverUrl);
  await page.getByLabel(/code$/).fill(code);
  await page.getByLabel("This workstation's name").fill(deviceName);
}

test('a second workstation joins with an enrollment code and the receptionist finds the first one’s patient', async ({
  page,
  browser,
  kavach,
}, testInfo) => {
  test.setTimeout(120_000);
  server = await createServer({ db: 'pglite' });
  const { foundingCode } = await server.createClinic('Sunrise Family Clinic');

  // First workstation: set up, connect with the founding code.
  await setUpClinic(page, kavach);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sync', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Sync', level: 1 })).toBeVisible();
  const form = page.getByTestId('sync-connect-form');
  await fillServerForm(page, server.url, foundingCode, 'Front desk');
  await form.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByTestId('sync-status-line')).toHaveText(/^Online/, { timeout: 30_000 });
  await expect(page.getByTestId('sync-indicator')).toHaveText(/^Online/);
  await screen(page, testInfo, 'sync-join-first-online');

  // A receptionist, and a patient registered at the front desk.
  await page.getByRole('link', { name: 'Staff', exact: true }).click();
  await addStaff(page, DESK);
  const deskPage = await openWindow(browser, kavach);
  await logIn(deskPage, DESK.username, DESK.password);
  await expect(deskPage.getByTestId('user-name')).toHaveText(DESK.displayName);
  const patient = await registerPatient(deskPage, 'Sarojini', 'Pillai', 58);
  await deskPage.context().close();

  // "Add a workstation" shows a one-time code.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sync', exact: true }).click();
  await page.getByRole('button', { name: 'Add a workstation' }).click();
  const codeText = (await page.getByTestId('enrollment-code').textContent()) ?? '';
  const code = codeText.replace(/\s+/g, ' ').trim();
  expect(code.replace(/[\s-]/g, '')).toMatch(/^[0-9A-Z]{32}$/);
  await expect(page.getByTestId('enrollment-instructions')).toBeVisible();
  await screen(page, testInfo, 'sync-join-enrollment-code');
  // The patient reaches the server before the new workstation asks for the clinic's records.
  await expect(page.getByTestId('sync-status-line')).toHaveText(/^Online · synced/, { timeout: 15_000 });

  // Second workstation: join instead of setting up.
  second = await startWorkstation('join-second');
  const joinPage = await (await browser.newContext()).newPage();
  await joinPage.goto(second.url);
  await expect(joinPage.getByRole('heading', { name: 'Set up Kavach' })).toBeVisible();
  await joinPage.getByRole('button', { name: 'Join an existing clinic' }).click();
  const joinForm = joinPage.getByRole('form', { name: 'Join an existing clinic' });
  await fillServerForm(joinPage, server.url, code, 'Consulting room');
  await screen(joinPage, testInfo, 'sync-join-second-form');
  await joinForm.getByRole('button', { name: 'Join clinic' }).click();
  await expect(joinPage.getByRole('heading', { name: 'Log in' })).toBeVisible({ timeout: 60_000 });
  await screen(joinPage, testInfo, 'sync-join-second-login');

  // The receptionist logs in there with the usual password and finds the patient.
  await logIn(joinPage, DESK.username, DESK.password);
  await expect(joinPage.getByTestId('user-name')).toHaveText(DESK.displayName);
  const box = joinPage.getByRole('combobox', { name: 'Find a patient' });
  await box.fill('Sarojini');
  await expect(joinPage.getByTestId('search-status')).toHaveText('1 patient found.');
  await expect(joinPage.getByRole('listbox', { name: 'Patients found' }).getByRole('option')).toHaveText([
    new RegExp(patient.name),
  ]);
  await expect(joinPage.getByTestId('sync-indicator')).toHaveText(/^Online/);
  await screen(joinPage, testInfo, 'sync-join-second-finds-patient');
  await joinPage.context().close();
});
