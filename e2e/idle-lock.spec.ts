import { ADMIN, expect, type KavachFixture, type Page, screen, setUpClinic, test } from './harness';

const DRAFT = {
  username: 'dr.farah',
  displayName: 'Dr. Farah Nguyễn O’Brien',
  registrationNumber: 'DMC/R/0917',
  availability: 'Mon–Fri mornings\n<5 patients after 1 pm',
};
const IDLE_PAST_DEFAULT_MS = 6 * 60_000;

async function startDraft(page: Page, kavach: KavachFixture) {
  await setUpClinic(page, kavach);
  await page.getByRole('button', { name: 'Add staff' }).click();
  const form = page.getByRole('form', { name: 'Add staff member' });
  await form.getByLabel('Username').fill(DRAFT.username);
  await form.getByLabel('Display name').fill(DRAFT.displayName);
  await form.getByLabel('Role').selectOption('doctor');
  await form.getByLabel('Registration number').fill(DRAFT.registrationNumber);
  await form.getByLabel('Availability note').fill(DRAFT.availability);
  return form;
}

async function expectDraftKept(page: Page) {
  const form = page.getByRole('form', { name: 'Add staff member' });
  await expect(form.getByLabel('Username')).toHaveValue(DRAFT.username);
  await expect(form.getByLabel('Display name')).toHaveValue(DRAFT.displayName);
  await expect(form.getByLabel('Role')).toHaveValue('doctor');
  await expect(form.getByLabel('Registration number')).toHaveValue(DRAFT.registrationNumber);
  await expect(form.getByLabel('Availability note')).toHaveValue(DRAFT.availability);
}

async function unlock(page: Page) {
  const lock = page.getByRole('dialog', { name: 'Session locked' });
  await lock.getByLabel('Password').fill(ADMIN.password);
  await lock.getByRole('button', { name: 'Unlock' }).click();
  await expect(lock).toBeHidden();
}

test('an idle session locks on the next status poll and unlocking keeps what was typed', async ({
  page,
  kavach,
}, testInfo) => {
  await startDraft(page, kavach);
  kavach.clock.advance(IDLE_PAST_DEFAULT_MS);

  const lock = page.getByRole('dialog', { name: 'Session locked' });
  // No user action here: the renderer polls session.status every 15 s, so allow one period.
  await expect(lock).toBeVisible({ timeout: 20_000 });
  await expect(lock.getByTestId('lock-user')).toContainText(ADMIN.name);
  await expect(lock.getByLabel('Password')).toBeFocused();
  await screen(page, testInfo, 'lock-screen');

  await lock.getByLabel('Password').fill('not-the-password');
  await lock.getByLabel('Password').press('Enter');
  await expect(lock.getByTestId('unlock-error')).toHaveText('That password is not correct.');
  await expect(lock).toBeVisible();

  await unlock(page);
  await expectDraftKept(page);
});

test('an action after the idle timeout shows the lock, and the same action works after unlock', async ({
  page,
  kavach,
}, testInfo) => {
  const form = await startDraft(page, kavach);
  await form.getByLabel('Initial password').fill('Clinic-rounds-at-dawn');
  kavach.clock.advance(IDLE_PAST_DEFAULT_MS);

  await form.getByLabel('Initial password').press('Enter');
  const lock = page.getByRole('dialog', { name: 'Session locked' });
  await expect(lock).toBeVisible();
  await expect(page.getByTestId('staff-row-dr.farah')).toHaveCount(0);

  await unlock(page);
  await expectDraftKept(page);
  await expect(form.getByTestId('staff-form-error')).toContainText('Please try again');

  await form.getByRole('button', { name: 'Add staff member' }).click();
  await expect(page.getByTestId('staff-notice')).toHaveText(`${DRAFT.displayName} was added.`);
  await expect(page.getByTestId('staff-row-dr.farah')).toContainText(DRAFT.displayName);
  await screen(page, testInfo, 'staff-after-unlock');
});
