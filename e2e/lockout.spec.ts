import { ADMIN, addStaff, expect, logIn, logOut, screen, setUpClinic, test } from './harness';

const RECEPTIONIST = {
  username: 'joseph',
  displayName: 'Joseph Dsouza',
  role: 'receptionist',
  password: 'Monsoon-ledger-2024',
} as const;

test('five wrong passwords lock the account, even against the right one', async ({
  page,
  kavach,
}, testInfo) => {
  await setUpClinic(page, kavach);
  await addStaff(page, RECEPTIONIST);
  await logOut(page);

  for (let attempt = 1; attempt <= 5; attempt += 1) {
    await logIn(page, RECEPTIONIST.username, `wrong-password-${attempt}`);
    const generic = page.getByTestId('login-error');
    const locked = page.getByTestId('lockout-message');
    await expect(generic.or(locked)).toBeVisible();
    if (attempt < 5) {
      await expect(generic).toHaveText('The username or password is not correct.');
      if (attempt === 1) await screen(page, testInfo, 'login-wrong-password');
    }
    await expect(page.getByLabel('Password')).toHaveValue('');
  }

  await logIn(page, RECEPTIONIST.username, RECEPTIONIST.password);
  const lockout = page.getByTestId('lockout-message');
  await expect(lockout).toBeVisible();
  await expect(lockout).toContainText('Account locked');
  // Main's message names the wait, e.g. "Try again in 30 seconds."
  await expect(lockout).toContainText(/try again in \d+/i);
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  await screen(page, testInfo, 'login-locked');

  // The admin sees the lock and clears it by resetting the password.
  await logIn(page, ADMIN.username, ADMIN.password);
  const row = page.getByTestId(`staff-row-${RECEPTIONIST.username}`);
  await expect(row.locator('td').nth(4)).not.toHaveText('—');
  await page.getByRole('button', { name: `Reset password for ${RECEPTIONIST.displayName}` }).click();
  await page.getByLabel('New password', { exact: true }).fill('Fresh-start-ledger-9');
  await page.getByLabel('Confirm new password').fill('Fresh-start-ledger-9');
  await page.getByLabel('Confirm new password').press('Enter');
  await expect(page.getByTestId('staff-notice')).toHaveText(
    `The password for ${RECEPTIONIST.displayName} was reset.`,
  );
  await expect(row.locator('td').nth(4)).toHaveText('—');
  await logOut(page);
  await logIn(page, RECEPTIONIST.username, 'Fresh-start-ledger-9');
  await expect(page.getByRole('heading', { name: 'Reception' })).toBeVisible();
});
