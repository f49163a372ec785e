import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import {
  ADMIN,
  addStaff,
  expect,
  type KavachFixture,
  logIn,
  logOut,
  type Page,
  screen,
  setUpClinic,
  test,
} from './harness';

/**
 * The second factor: the admin requires it for doctors; a doctor's first login sets up an
 * authenticator app (the test plays the app, from the key shown for typing in by hand), sees
 * the recovery codes once, and from then on logs in with a code. A wrong code is refused
 * with a clear message; an admin can reset the factor.
 */

const DOCTOR = {
  username: 'dr.kavitha',
  displayName: 'Dr. Kavitha Rao',
  role: 'doctor',
  password: 'Neem-tree-courtyard-5',
  registrationNumber: 'TCMC-2019-5521',
  department: 'Paediatrics',
} as const;

/** What the doctor's phone would show at the core's current time. */
function appCode(secret: string, kavach: KavachFixture, offsetMs = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  return totp.generate({ timestamp: kavach.clock.now() + offsetMs });
}

/** Reads the QR code drawn on the canvas back with zbarimg, as a phone camera would. */
async function readQr(page: Page): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kavach-qr-'));
  try {
    const file = join(dir, 'qr.png');
    await writeFile(file, await page.getByTestId('totp-qr').screenshot());
    const r = spawnSync('zbarimg', ['-q', '--raw', file], { encoding: 'utf8' });
    return r.stdout.trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function enterCode(page: Page, code: string): Promise<void> {
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
}

test('second factor: required for doctors, enrollment with QR and recovery codes, login with a code', async ({
  page,
  kavach,
}, testInfo) => {
  test.setTimeout(120_000);
  await setUpClinic(page, kavach);
  await addStaff(page, DOCTOR);

  // Admin → Settings: doctors must use a second factor.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const requirement = page.getByRole('form', { name: 'Second factor' });
  await expect(requirement.getByLabel('Require for doctors')).not.toBeChecked();
  await requirement.getByLabel('Require for doctors').check();
  await requirement.getByRole('button', { name: 'Save second factor' }).click();
  await expect(page.getByTestId('second-factor-settings-notice')).toHaveText(
    'Second factor requirement saved.',
  );
  await logOut(page);

  // The doctor's first login: set up the app.
  await logIn(page, DOCTOR.username, DOCTOR.password);
  await expect(page.getByRole('heading', { name: 'Set up a second factor' })).toBeVisible();
  await page.getByRole('button', { name: 'Set up authenticator app' }).click();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').textContent())?.replace(/\s/g, '') ?? '';
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  const uri = await readQr(page);
  expect(uri.startsWith('otpauth://totp/')).toBe(true);
  expect(new URL(uri).searchParams.get('secret')).toBe(secret);
  await screen(page, testInfo, 'totp-enroll');
  const confirm = page.getByRole('form', { name: 'Confirm authenticator app' });
  await confirm.getByLabel('Code from the app').fill(appCode(secret, kavach, 5 * 60_000));
  await confirm.getByRole('button', { name: 'Confirm' }).click();
  await expect(confirm.getByText('The code is not correct')).toBeVisible();
  await confirm.getByLabel('Code from the app').fill(appCode(secret, kavach));
  await confirm.getByRole('button', { name: 'Confirm' }).click();
  const codes = page.getByTestId('recovery-codes').getByRole('listitem');
  await expect(codes).toHaveCount(10);
  await expect(codes.first()).toHaveText(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  await expect(page.getByRole('button', { name: 'Continue' })).toBeDisabled();
  await screen(page, testInfo, 'totp-recovery-codes');
  await page.getByLabel('I have saved these recovery codes').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'My queue' })).toBeVisible();
  await logOut(page);

  // Next login: password, then a code from the app; a wrong code is refused clearly.
  kavach.clock.advance(30_000);
  await logIn(page, DOCTOR.username, DOCTOR.password);
  await expect(page.getByRole('heading', { name: 'Second factor' })).toBeVisible();
  await enterCode(page, appCode(secret, kavach, 5 * 60_000));
  await expect(page.getByText('The code is not correct. Check the time on your phone')).toBeVisible();
  await screen(page, testInfo, 'totp-wrong-code');
  await enterCode(page, appCode(secret, kavach));
  await expect(page.getByRole('heading', { name: 'My queue' })).toBeVisible();
  await expect(page.getByTestId('user-name')).toHaveText(DOCTOR.displayName);
  await logOut(page);

  // Admin → Staff: the doctor's factor can be reset (a lost phone).
  await logIn(page, ADMIN.username, ADMIN.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Staff' }).click();
  const row = page.getByTestId(`staff-row-${DOCTOR.username}`);
  await expect(row).toContainText('Set up');
  await row.getByRole('button', { name: `Reset second factor for ${DOCTOR.displayName}` }).click();
  const dialog = page.getByTestId('reset-second-factor-dialog');
  await dialog.getByRole('button', { name: 'Reset second factor' }).click();
  await expect(page.getByTestId('staff-notice')).toHaveText(
    `The second factor of ${DOCTOR.displayName} was reset.`,
  );
  await expect(row).not.toContainText('Set up');
  await logOut(page);
  await logIn(page, DOCTOR.username, DOCTOR.password);
  await expect(page.getByRole('heading', { name: 'Set up a second factor' })).toBeVisible();
});
