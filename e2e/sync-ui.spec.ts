import { addStaff, expect, logIn, openWindow, type Page, screen, setUpClinic, test } from './harness';

/**
 * The sync screens against whatever main answers today. Without a sync server the truthful
 * journeys are: nothing is connected, bad addresses and codes are refused beside their
 * fields, and a refused connection leaves everything as it was. The full join journey needs
 * the real server and engine.
 */

const GOOD_CODE = 'ABCD EFGH JKMN PQRS';
// Nothing listens on the discard port: a real engine cannot reach it, placeholders refuse.
const UNREACHABLE = 'http://127.0.0.1:9';
const URL_ERROR = 'Enter the server address';
const NOT_CONNECTED = 'Not connected to a server';

async function fillServerForm(page: Page, serverUrl: string, code: string, deviceName: string) {
  await page.getByLabel('Server address').fill(serverUrl);
  await page.getByLabel(/code$/).fill(code);
  await page.getByLabel("This workstation's name").fill(deviceName);
}

/** What main itself says to a connection attempt, as the form should show it. */
async function mainSays(page: Page, channel: 'sync.connect' | 'setup.joinClinic'): Promise<string> {
  const payload = { serverUrl: UNREACHABLE, code: GOOD_CODE, deviceName: 'Reception desk 2' };
  const answer = await page.evaluate(([c, p]) => window.kavach[c](p), [channel, payload] as const);
  expect(answer.ok).toBe(false);
  if (answer.ok) return '';
  return answer.error.code === 'INTERNAL' ? 'Something went wrong' : answer.error.message;
}

test('the header says sync is not connected; the admin Sync page refuses bad addresses plainly', async ({
  page,
  browser,
  kavach,
}, testInfo) => {
  await setUpClinic(page, kavach);
  const indicator = page.getByTestId('sync-indicator');
  await expect(indicator).toHaveText(NOT_CONNECTED);
  await expect(indicator).toHaveAttribute('role', 'status');
  await expect(indicator).toHaveAttribute('aria-live', 'polite');

  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Sync', exact: true })
    .click();
  await expect(page.getByRole('heading', { name: 'Sync', level: 1 })).toBeVisible();
  await expect(page.getByTestId('sync-status-line')).toHaveText(NOT_CONNECTED);
  const form = page.getByTestId('sync-connect-form');
  await expect(form.getByRole('heading', { name: 'Connect to a sync server' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sync now' })).toHaveCount(0);
  await screen(page, testInfo, 'sync-page-not-connected');

  // Malformed addresses: main's message sits beside the address field, nothing else is marked.
  for (const bad of ['not a url', 'ftp://x']) {
    await fillServerForm(page, bad, GOOD_CODE, 'Reception desk 2');
    await form.getByRole('button', { name: 'Connect' }).click();
    await expect(form.getByLabel('Server address')).toHaveAttribute('aria-invalid', 'true');
    await expect(form.locator('.field-error')).toHaveCount(1);
    await expect(form.locator('.field-error')).toContainText(URL_ERROR);
    await expect(form.getByLabel('Founding code')).not.toHaveAttribute('aria-invalid', 'true');
  }
  await screen(page, testInfo, 'sync-connect-bad-address');

  // A well-formed address nobody answers at: one clear message above the form, nothing changes.
  await fillServerForm(page, UNREACHABLE, GOOD_CODE, 'Reception desk 2');
  await form.getByRole('button', { name: 'Connect' }).click();
  const alert = page.getByTestId('sync-connect-error');
  await expect(alert).toBeVisible({ timeout: 30_000 });
  await expect(alert).toContainText(await mainSays(page, 'sync.connect'));
  await expect(form.getByLabel('Server address')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByLabel('Server address')).toHaveValue(UNREACHABLE);
  await expect(page.getByTestId('sync-status-line')).toHaveText(NOT_CONNECTED);
  await expect(page.getByTestId('sync-notice')).toHaveText('');
  await expect(indicator).toHaveText(NOT_CONNECTED);
  await screen(page, testInfo, 'sync-connect-refused');

  // Every role sees the same indicator, and only the admin has the Sync page.
  await page.getByRole('link', { name: 'Staff', exact: true }).click();
  const desk = { username: 'ravi.k', displayName: 'Ravi Kumar', role: 'receptionist' as const };
  await addStaff(page, { ...desk, password: 'Front-desk-morning-7' });
  const deskPage = await openWindow(browser, kavach);
  await logIn(deskPage, desk.username, 'Front-desk-morning-7');
  await expect(deskPage.getByTestId('sync-indicator')).toHaveText(NOT_CONNECTED);
  await expect(deskPage.getByRole('link', { name: 'Sync', exact: true })).toHaveCount(0);
  await deskPage.goto(`${kavach.origin}/#/admin/sync`);
  await expect(deskPage.getByTestId('not-permitted')).toBeVisible();
  await screen(deskPage, testInfo, 'sync-receptionist-header');
  await deskPage.context().close();
});

test('setup offers "Join an existing clinic" and checks the code beside its field', async ({
  page,
  kavach,
}, testInfo) => {
  await page.goto(kavach.url);
  await expect(page.getByRole('heading', { name: 'Set up Kavach' })).toBeVisible();
  const create = page.getByRole('button', { name: 'Set up this clinic' });
  const join = page.getByRole('button', { name: 'Join an existing clinic' });
  await expect(create).toHaveAttribute('aria-pressed', 'true');
  await expect(join).toHaveAttribute('aria-pressed', 'false');

  await join.click();
  await expect(join).toHaveAttribute('aria-pressed', 'true');
  const form = page.getByRole('form', { name: 'Join an existing clinic' });
  await expect(form.getByLabel('Server address')).toBeVisible();
  await expect(form.getByLabel('Enrollment code')).toBeVisible();
  await expect(form.getByLabel("This workstation's name")).toBeVisible();
  await expect(page.getByLabel('Clinic name')).toHaveCount(0);
  await screen(page, testInfo, 'sync-setup-join');

  await fillServerForm(page, 'http://192.168.1.10:8787', '12-34', 'Reception desk 2');
  await form.getByRole('button', { name: 'Join clinic' }).click();
  await expect(form.getByLabel('Enrollment code')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByText('Enter the code exactly as shown')).toBeVisible();
  await expect(form.getByLabel('Server address')).not.toHaveAttribute('aria-invalid', 'true');
  await screen(page, testInfo, 'sync-setup-join-bad-code');

  await fillServerForm(page, 'not a url', GOOD_CODE, 'Reception desk 2');
  await form.getByRole('button', { name: 'Join clinic' }).click();
  await expect(form.getByLabel('Server address')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByText(URL_ERROR)).toBeVisible();
  await expect(form.getByLabel('Enrollment code')).not.toHaveAttribute('aria-invalid', 'true');

  // Well-formed but nobody to join: main's refusal above the form, still on the setup screen.
  await fillServerForm(page, UNREACHABLE, GOOD_CODE, 'Reception desk 2');
  await form.getByRole('button', { name: 'Join clinic' }).click();
  await expect(page.getByTestId('join-error')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('join-error')).toContainText(await mainSays(page, 'setup.joinClinic'));
  await expect(page.getByRole('heading', { name: 'Set up Kavach' })).toBeVisible();
  await screen(page, testInfo, 'sync-setup-join-refused');

  // Back to a new clinic: its form is there as before.
  await create.click();
  await expect(page.getByLabel('Clinic name')).toBeVisible();
  await expect(page.getByTestId('recovery-note')).toBeVisible();
});
