import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
 * Admin → Backup and the ops CLI: the admin sets a folder and a passphrase, backs up now and
 * checks the file on the screen; the CLI then restores it into a fresh folder on a "new
 * machine" (another keychain service) and the restored audit trail verifies there.
 */

const DESK = {
  username: 'desk',
  displayName: 'Front Desk',
  role: 'receptionist' as const,
  password: 'marigold-window-5',
};
const PASSPHRASE = 'coconut-harbour-monsoon-71';

function kavachCli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/kavach.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

test('admin backs up from the screen; the CLI restores it on a new machine and the audit chain verifies', async ({
  page,
  kavach,
}, testInfo) => {
  test.setTimeout(120_000);
  const folder = await mkdtemp(join(tmpdir(), 'kavach-e2e-backups-'));
  const restored = join(await mkdtemp(join(tmpdir(), 'kavach-e2e-restore-')), 'data');
  try {
    await setUpClinic(page, kavach);
    await addStaff(page, DESK);
    await logOut(page);
    await logIn(page, DESK.username, DESK.password);
    await expect(page.getByTestId('user-name')).toHaveText(DESK.displayName);
    await registerPatient(page, 'Sarojini', 'Pattabhiraman', 44);
    await logOut(page);
    await logIn(page, ADMIN.username, ADMIN.password);

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Backup', exact: true })
      .click();
    await expect(page.getByRole('heading', { name: 'Backup', level: 1 })).toBeVisible();
    await expect(page.getByTestId('backup-last-run')).toHaveText(
      'No backup has been made on this workstation yet.',
    );
    await expect(page.getByTestId('backup-run')).toBeDisabled();

    // Field errors: a relative folder, then passphrases that differ, then one too short.
    await page.getByTestId('backup-folder').fill('backups');
    await page.getByTestId('backup-passphrase').fill(PASSPHRASE);
    await page.getByTestId('backup-passphrase-again').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await expect(page.getByTestId('backup-folder')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText('Enter the full path, like /media/usb/kavach-backups')).toBeVisible();
    await page.getByTestId('backup-folder').fill(folder);
    await page.getByTestId('backup-passphrase-again').fill(`${PASSPHRASE}x`);
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await expect(page.getByText('The two passphrases differ')).toBeVisible();
    await page.getByTestId('backup-passphrase').fill('short');
    await page.getByTestId('backup-passphrase-again').fill('short');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await expect(page.getByText('Use at least 12 characters')).toBeVisible();
    await page.getByTestId('backup-passphrase').fill(PASSPHRASE);
    await page.getByTestId('backup-passphrase-again').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await expect(page.getByTestId('schedule-notice')).toHaveText('Backup schedule saved.');
    await expect(page.getByTestId('backup-passphrase')).toHaveValue('');
    await expect(page.getByTestId('backup-last-run')).toContainText('Next daily backup due');

    await page.getByTestId('backup-run').click();
    await expect(page.getByTestId('run-notice')).toHaveText(
      /^Backup written: kavach-backup-\d{8}-\d{6}\.kvbk \(/,
    );
    await expect(page.getByTestId('backup-last-run')).toContainText('Last backup');
    await screen(page, testInfo, 'backup-written');
    const [name] = await readdir(folder);
    const file = join(folder, name as string);
    expect((await readFile(file)).includes(Buffer.from('Pattabhiraman'))).toBe(false);

    // Check a file: the wrong passphrase is a field error; the right one opens every part.
    await page.getByTestId('check-file').fill(file);
    await page.getByTestId('check-passphrase').fill('not-the-passphrase-9');
    await page.getByRole('button', { name: 'Check file' }).click();
    await expect(page.getByTestId('check-passphrase')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText('The passphrase does not open this backup.')).toBeVisible();
    await page.getByTestId('check-passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Check file' }).click();
    await expect(page.getByTestId('check-notice')).toContainText(`${name} is complete and opens`);
    await expect(page.getByTestId('check-notice')).toContainText('0 attachments');

    // The CLI on a new machine: restore, then verify the restored trail as its admin.
    const newMachine = { KAVACH_KEYCHAIN_SERVICE: 'Kavach-e2e-new-machine', BACKUP_PASS: PASSPHRASE };
    const restore = kavachCli(
      ['restore', '--from', file, '--data', restored, '--passphrase-env', 'BACKUP_PASS'],
      newMachine,
    );
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toContain('audit chain verified');
    expect(restore.stdout).not.toContain('Pattabhiraman');
    const verify = kavachCli(['verify-audit', '--data', restored], {
      ...newMachine,
      KAVACH_USER: ADMIN.username,
      KAVACH_PASSWORD: ADMIN.password,
    });
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/^audit chain ok: \d+ events verified/);
  } finally {
    await rm(folder, { recursive: true, force: true });
    await rm(join(restored, '..'), { recursive: true, force: true });
  }
});
