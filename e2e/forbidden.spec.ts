import { addStaff, expect, logIn, navNames, openWindow, screen, setUpClinic, test } from './harness';

const RECEPTIONIST = {
  username: 'nisha',
  displayName: 'Nisha Verma',
  role: 'receptionist',
  password: 'Queue-at-nine-sharp',
} as const;

test('a receptionist cannot reach admin channels or admin screens', async ({
  page,
  browser,
  kavach,
}, testInfo) => {
  await setUpClinic(page, kavach);
  await addStaff(page, RECEPTIONIST);

  const desk = await openWindow(browser, kavach);
  await logIn(desk, RECEPTIONIST.username, RECEPTIONIST.password);
  await expect(desk.getByRole('heading', { name: 'Reception' })).toBeVisible();

  const list = await desk.evaluate(() => window.kavach['staff.list']({ includeInactive: true }));
  expect(list).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect(list).not.toHaveProperty('value');
  const settings = await desk.evaluate(() =>
    window.kavach['settings.update']({
      clinicName: 'Hijacked',
      idleMinutes: 60,
    }),
  );
  expect(settings).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

  await desk.evaluate(() => {
    window.location.hash = '#/admin/staff';
  });
  const panel = desk.getByTestId('not-permitted');
  await expect(panel.getByRole('heading', { name: 'Not permitted' })).toBeVisible();
  await expect(panel).toContainText('receptionist');
  await expect(desk.getByRole('table')).toHaveCount(0);
  expect(await navNames(desk)).toEqual([
    'Reception',
    'Queue',
    'Appointments',
    'Billing',
    'Referrals',
    'Exchange',
  ]);
  await screen(desk, testInfo, 'not-permitted');

  // The admin's own window still shows the clinic name it set, not the attempted change.
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByLabel('Clinic name')).not.toHaveValue('Hijacked');
});
