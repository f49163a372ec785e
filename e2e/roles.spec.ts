import {
  ADMIN,
  addStaff,
  DOCTOR,
  expect,
  fillSetup,
  type KavachFixture,
  logIn,
  logOut,
  navNames,
  openWindow,
  type Page,
  RECEPTIONIST,
  screen,
  type TestInfo,
  test,
} from './harness';

const ADMIN_SCREENS = [
  'Schedules',
  'Staff',
  'Settings',
  'Patient history',
  'Sync',
  'Audit',
  'Security',
  'Workstations',
  'Keys',
  'Backup',
  'Billing',
  'Price list',
  'Daily report',
  'Clinics',
  'Exchange',
];

async function setUpWithChecks(page: Page, kavach: KavachFixture, testInfo: TestInfo) {
  await page.goto(kavach.url);
  await expect(page.getByRole('heading', { name: 'Set up Kavach' })).toBeVisible();
  await expect(page.getByTestId('recovery-note')).toContainText('cannot be recovered');
  await screen(page, testInfo, 'setup');

  await fillSetup(page, ADMIN.password, 'Something-else-entirely');
  await expect(page.getByText('The two passwords do not match')).toBeVisible();
  await expect(page.getByLabel('Confirm password')).toHaveAttribute('aria-invalid', 'true');
  await fillSetup(page, 'short');
  await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Confirm password')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('setup-error')).toBeVisible();
  await screen(page, testInfo, 'setup-weak-password');

  await fillSetup(page);
  await expect(page.getByTestId('user-role')).toHaveText('Admin');
  await expect(page.getByTestId('clinic-name')).toHaveText(ADMIN.clinic);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Staff' }).click();
  await expect(page.getByRole('heading', { name: 'Staff' })).toBeVisible();
}

async function addDoctorWithChecks(page: Page, testInfo: TestInfo) {
  await page.getByRole('button', { name: 'Add staff' }).click();
  const form = page.getByRole('form', { name: 'Add staff member' });
  await form.getByLabel('Role').selectOption('doctor');
  await form.getByLabel('Username').fill('dr.nobody');
  await form.getByLabel('Display name').fill('Dr. No Registration');
  await form.getByLabel('Initial password').fill(DOCTOR.password);
  await form.getByRole('button', { name: 'Add staff member' }).click();
  await expect(form.getByLabel('Registration number')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByTestId('staff-form-error')).toBeVisible();
  await screen(page, testInfo, 'staff-add-doctor');
  await form.getByRole('button', { name: 'Cancel' }).click();

  await addStaff(page, DOCTOR);
  await expect(page.getByTestId(`staff-row-${DOCTOR.username}`)).toContainText('Doctor');
  await expect(page.getByTestId('staff-row-dr.nobody')).toHaveCount(0);
  await screen(page, testInfo, 'staff-list');

  await page.getByRole('button', { name: `Edit ${DOCTOR.displayName}` }).click();
  const edit = page.getByRole('form', { name: `Edit ${DOCTOR.displayName}` });
  await expect(edit.getByLabel('Registration number')).toHaveValue(DOCTOR.registrationNumber);
  await expect(edit.getByLabel('Department')).toHaveValue(DOCTOR.department);
  await screen(page, testInfo, 'staff-edit-doctor');
  await edit.getByRole('button', { name: 'Cancel' }).click();
}

async function checkSettings(page: Page, testInfo: TestInfo) {
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByLabel('Clinic name')).toHaveValue(ADMIN.clinic);
  await expect(page.getByLabel('Idle lock (minutes)')).toHaveValue('5');
  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByTestId('audit-result')).toContainText('Audit trail intact');
  await screen(page, testInfo, 'settings');
}

/**
 * The navigation offers exactly the role's screens, and the role starts on the first of
 * them. Compared as sets: which screen comes first is the router's choice, not this test's.
 */
async function expectOwnScreens(
  page: Page,
  who: { displayName: string },
  role: string,
  screens: readonly string[],
) {
  await expect(page.getByTestId('user-name')).toHaveText(who.displayName);
  await expect(page.getByTestId('user-role')).toHaveText(role);
  const names = await navNames(page);
  expect([...names].sort()).toEqual([...screens].sort());
  // Each role lands on its first screen; the doctor's is headed by their queue.
  const heading = names[0] === 'Doctor' ? 'My queue' : names[0];
  await expect(page.getByRole('heading', { name: heading, exact: true, level: 1 })).toBeVisible();
}

test('set up the clinic, add staff, and every role sees only its own screens', async ({
  page,
  browser,
  kavach,
}, testInfo) => {
  await setUpWithChecks(page, kavach, testInfo);
  await expect(page.getByTestId('user-role')).toHaveText('Admin');
  expect((await navNames(page)).sort()).toEqual([...ADMIN_SCREENS].sort());
  await expect(page.getByTestId(`staff-row-${ADMIN.username}`)).toContainText('Admin');

  await addStaff(page, RECEPTIONIST);
  await addDoctorWithChecks(page, testInfo);
  await checkSettings(page, testInfo);

  const desk = await openWindow(browser, kavach);
  await logIn(desk, RECEPTIONIST.username, RECEPTIONIST.password);
  await expectOwnScreens(desk, RECEPTIONIST, 'Receptionist', [
    'Reception',
    'Queue',
    'Appointments',
    'Billing',
    'Referrals',
    'Exchange',
  ]);
  await screen(desk, testInfo, 'reception');
  await desk.context().close();

  await logOut(page);
  await screen(page, testInfo, 'login');
  await logIn(page, DOCTOR.username, DOCTOR.password);
  await expectOwnScreens(page, DOCTOR, 'Doctor', [
    'Appointments',
    'Doctor',
    'Schedules',
    'Referrals',
    'Exchange',
  ]);
  await screen(page, testInfo, 'doctor');
});
