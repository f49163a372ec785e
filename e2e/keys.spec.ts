import { readFile } from 'node:fs/promises';
import {
  ADMIN,
  addStaff,
  expect,
  logIn,
  logOut,
  registerPatient,
  screen,
  setUpClinic,
  test,
} from './harness';

/**
 * Admin → Keys: the admin rotates the clinic data key on a clinic with patients and watches
 * the progress bar move to done; then exports a recovery kit. Small batches with a pause
 * between them (test tuning read by the rotation job) make the progress visible at the
 * screen's 500 ms polling.
 */
process.env.KAVACH_KEY_ROTATION_BATCH = '4';
process.env.KAVACH_KEY_ROTATION_PAUSE_MS = '60';

const DESK = {
  username: 'desk',
  displayName: 'Front Desk',
  role: 'receptionist' as const,
  password: 'marigold-window-5',
};

test('admin rotates the key and sees the progress bar move to done, then exports a recovery kit', async ({
  page,
  kavach,
}, testInfo) => {
  test.setTimeout(120_000);
  await setUpClinic(page, kavach);
  await addStaff(page, DESK);
  await logOut(page);
  await logIn(page, DESK.username, DESK.password);
  await expect(page.getByTestId('user-name')).toHaveText(DESK.displayName);
  for (let i = 0; i < 8; i++) await registerPatient(page, `Lakshmi${i}`, 'Menon', 30 + i);
  await logOut(page);
  await logIn(page, ADMIN.username, ADMIN.password);

  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Keys', exact: true })
    .click();
  await expect(page.getByRole('heading', { name: 'Keys', level: 1 })).toBeVisible();
  await expect(page.getByTestId('keychain-warning')).toContainText(
    "losing every workstation's keychain loses the clinic's data",
  );
  await expect(page.getByTestId('key-versions')).toHaveText(/Version 1: active for new records/);
  await expect(page.getByTestId('kit-exported')).toHaveText(
    'No recovery kit has been exported from this workstation.',
  );

  await page.getByRole('button', { name: 'Rotate key' }).click();
  await expect(page.getByText('Make key version 2 and re-encrypt every record')).toBeVisible();
  await page.getByRole('button', { name: 'Yes, rotate' }).click();
  const bar = page.getByTestId('rotation-progress');
  await expect(bar).toBeVisible();
  await expect(page.getByTestId('rotation-phase')).toContainText(
    'Re-encrypting stored records (version 1 → 2)',
  );
  await screen(page, testInfo, 'keys-rotating');

  // The bar's value is seen at several different points before it reaches its maximum.
  const seen = new Set<number>();
  let max = 0;
  for (let i = 0; i < 200; i++) {
    const value = Number(await bar.getAttribute('value'));
    max = Number(await bar.getAttribute('max'));
    seen.add(value);
    if ((await page.getByTestId('rotation-phase').textContent())?.includes('Rotation finished')) break;
    await page.waitForTimeout(250);
  }
  const inBetween = [...seen].filter((v) => v > 0 && v < max);
  expect(inBetween.length, `values seen: ${[...seen].join(', ')} of ${max}`).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('rotation-phase')).toContainText('Rotation finished');
  await expect(bar).toHaveAttribute('value', String(max));
  await expect(page.getByTestId('rotation-count')).toContainText(
    `${max} of ${max} records and files checked (100%)`,
  );
  await expect(page.getByTestId('key-versions').getByRole('listitem')).toHaveCount(1);
  await expect(page.getByTestId('key-versions')).toHaveText(/Version 2: active for new records/);
  await screen(page, testInfo, 'keys-rotated');

  // Recovery kit: the passphrase twice, rules beside the field, then a download.
  const passphrase = page.getByTestId('kit-passphrase');
  const again = page.getByTestId('kit-passphrase-again');
  await passphrase.fill('harbour-saffron-lantern-1987');
  await again.fill('harbour-saffron-lantern-1988');
  await page.getByRole('button', { name: 'Export recovery kit' }).click();
  await expect(again).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('The two passphrases differ')).toBeVisible();
  await passphrase.fill('too short');
  await again.fill('too short');
  await page.getByRole('button', { name: 'Export recovery kit' }).click();
  await expect(passphrase).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Use at least 16 characters')).toBeVisible();
  await passphrase.fill('harbour-saffron-lantern-1987');
  await again.fill('harbour-saffron-lantern-1987');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export recovery kit' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^kavach-recovery-kit-\d{4}-\d{2}-\d{2}\.json$/);
  const kit = JSON.parse(await readFile((await file.path()) as string, 'utf8')) as {
    kavachRecoveryKit: number;
    versions: number[];
  };
  expect(kit).toMatchObject({ kavachRecoveryKit: 1, versions: [2] });
  await expect(page.getByTestId('kit-notice')).toHaveText(
    'Recovery kit ready (key version 2). Keep the file offline.',
  );
  await expect(page.getByTestId('kit-exported')).toContainText('Recovery kit last exported');
  await expect(passphrase).toHaveValue('');
});
