import { addDays } from '../src-shared/schedule';
import {
  ADMIN,
  addStaff,
  clinicDay,
  DOCTOR,
  expect,
  fillSetup,
  type KavachFixture,
  logIn,
  openWindow,
  type Page,
  pinBrowserClock,
  RECEPTIONIST,
  type RegisteredPatient,
  registerPatient,
  screen,
  startTomorrowAt,
  type TestInfo,
  test,
} from './harness';

/**
 * The front desk's day: walk-ins checked in and moved through the queue, appointments
 * booked, refused when the slot was taken meanwhile, moved, cancelled and checked in.
 * The core's clock starts at 08:00 so today still has every slot ahead of it; the
 * browser's clock is pinned to the same instant, so both agree on what "today" is.
 */

const DOCTOR_OPTION = `${DOCTOR.displayName} — ${DOCTOR.department}`;

async function setIdleLockToAnHour(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Idle lock (minutes)').fill('60');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByTestId('settings-notice')).toHaveText('Settings saved.');
}

/** Admin on the Schedules screen: every day of the week 09:00–17:00 in 15-minute slots. */
async function setWeeklyHours(page: Page, testInfo: TestInfo): Promise<void> {
  await page.getByRole('link', { name: 'Schedules' }).click();
  await expect(page.getByRole('heading', { name: `Weekly hours of ${DOCTOR.displayName}` })).toBeVisible();
  for (let n = 1; n <= 7; n++) {
    await page.getByRole('button', { name: 'Add session' }).click();
    await page.getByLabel(`Session ${n} ends`).fill('17:00');
    await page.getByLabel(`Session ${n} starts`).fill('09:00');
  }
  await page.getByLabel('Slot length').selectOption('15');
  await expect(page.getByTestId('week-summary')).toContainText('Sunday 09:00–17:00 · 32 slots');
  await page.getByRole('button', { name: 'Save weekly hours' }).click();
  await expect(page.getByTestId('schedule-notice')).toHaveText(
    `Weekly hours of ${DOCTOR.displayName} were saved.`,
  );
  await expect(page.getByTestId('session-row')).toHaveCount(7);
  await expect(page.getByLabel('Session 1 day')).toHaveValue('1');
  await screen(page, testInfo, 'queue-schedules');
}

async function addLeaveDay(page: Page, date: string, note: string): Promise<void> {
  const before = await page.getByTestId('leave-day').count();
  await page.getByLabel('Leave date').fill(date);
  await page.getByLabel('Note').fill(note);
  await page.getByRole('button', { name: 'Add leave day' }).click();
  await expect(page.getByTestId('leave-day')).toHaveCount(before + 1);
  await expect(page.getByTestId('leave-day').filter({ hasText: note })).toBeVisible();
}

/** Admin sets up the clinic, staff and the doctor's week; returns the receptionist's window. */
async function openClinic(
  page: Page,
  browser: import('@playwright/test').Browser,
  kavach: KavachFixture,
  testInfo: TestInfo,
) {
  startTomorrowAt(kavach, 8);
  await pinBrowserClock(page, kavach);
  await page.goto(kavach.url);
  await fillSetup(page);
  await expect(page.getByTestId('user-name')).toHaveText(ADMIN.name);
  // The admin's start screen depends on the route order; go to Staff explicitly.
  await page.getByRole('link', { name: 'Staff' }).click();
  await expect(page.getByRole('heading', { name: 'Staff' })).toBeVisible();
  await addStaff(page, DOCTOR);
  await addStaff(page, RECEPTIONIST);
  await setIdleLockToAnHour(page);
  await setWeeklyHours(page, testInfo);

  const desk = await openWindow(browser, kavach);
  await pinBrowserClock(desk, kavach);
  await logIn(desk, RECEPTIONIST.username, RECEPTIONIST.password);
  await expect(desk.getByTestId('user-name')).toHaveText(RECEPTIONIST.displayName);
  return desk;
}

async function checkIn(
  desk: Page,
  patient: RegisteredPatient,
  doctor: string,
  priority: 'Routine' | 'Emergency',
  reason: string,
) {
  await desk.getByRole('button', { name: 'Check in a patient' }).click();
  await desk.getByLabel('Find patient').fill(patient.name.split(' ')[0] ?? '');
  await desk.getByLabel('Find patient').press('Enter');
  await desk.getByRole('button', { name: `Check in ${patient.name}` }).click();
  const form = desk.getByRole('form', { name: `Check in ${patient.name}` });
  await expect(form.getByLabel('Doctor')).toHaveValue('');
  await form.getByLabel('Doctor').selectOption({ label: doctor });
  await form.getByLabel(priority).check();
  await form.getByLabel('Reason for visit').fill(reason);
  // Enter in the reason field submits, as reception types it last.
  await form.getByLabel('Reason for visit').press('Enter');
  await expect(form).toBeHidden();
}

function countFor(desk: Page, name: string) {
  return desk.getByTestId('queue-count').filter({ hasText: name });
}

test('queue: check in walk-ins, counts per doctor, waiting time, send in, done, left', async ({
  page,
  browser,
  kavach,
}, testInfo) => {
  test.setTimeout(120_000);
  const desk = await openClinic(page, browser, kavach, testInfo);
  const meena = await registerPatient(desk, 'Meena', 'Pillai', 34);
  const joseph = await registerPatient(desk, 'Joseph', "D'Souza", 61);

  await desk.getByRole('link', { name: 'Queue' }).click();
  await expect(desk.getByTestId('queue-empty')).toBeVisible();

  await checkIn(desk, meena, DOCTOR_OPTION, 'Routine', 'Fever for 3 days');
  await expect(desk.getByTestId('queue-notice')).toHaveText(
    `Token 1: ${meena.name} is checked in for ${DOCTOR.displayName}.`,
  );
  const first = desk.getByTestId('queue-row-1');
  await expect(first).toContainText(meena.name);
  await expect(first).toContainText(meena.patientNumber);
  await expect(first).toContainText('34 y · F');
  await expect(first).toContainText('Fever for 3 days');
  await expect(first).toContainText('Routine');
  await expect(first).toContainText('Waiting');
  await expect(first.getByTestId('queue-wait')).toHaveText('0 min');
  await expect(countFor(desk, DOCTOR.displayName).getByTestId('count-waiting')).toHaveText('1');
  await expect(countFor(desk, DOCTOR.displayName).getByTestId('count-with-doctor')).toHaveText('0');

  // No click: the 5-second poll brings the new waiting time.
  kavach.clock.advance(12 * 60_000);
  await expect(first.getByTestId('queue-wait')).toHaveText('12 min', { timeout: 10_000 });

  await checkIn(desk, joseph, 'Next available doctor', 'Emergency', 'Chest pain');
  await expect(desk.getByTestId('queue-notice')).toHaveText(
    `Token 2: ${joseph.name} is checked in for the next available doctor.`,
  );
  // Emergencies go first, and look it.
  const rows = desk.locator('tbody tr');
  await expect(rows.first()).toHaveAttribute('data-testid', 'queue-row-2');
  await expect(desk.getByTestId('queue-row-2')).toHaveClass(/row-emergency/);
  await expect(desk.getByTestId('queue-row-2')).toContainText('Emergency');
  await expect(countFor(desk, 'Next available').getByTestId('count-waiting')).toHaveText('1');
  await screen(desk, testInfo, 'queue-two-waiting');

  await desk.getByLabel('Queue for').selectOption({ label: DOCTOR.displayName });
  await expect(desk.getByTestId('queue-row-2')).toHaveCount(0);
  await expect(desk.getByTestId('queue-row-1')).toBeVisible();
  await desk.getByLabel('Queue for').selectOption({ label: 'Unassigned (next available)' });
  await expect(desk.getByTestId('queue-row-1')).toHaveCount(0);
  await expect(desk.getByTestId('queue-row-2')).toBeVisible();
  await desk.getByLabel('Queue for').selectOption({ label: 'All doctors' });

  await first.getByRole('button', { name: 'Send in' }).click();
  await expect(first).toContainText('With doctor');
  await expect(countFor(desk, DOCTOR.displayName).getByTestId('count-waiting')).toHaveText('0');
  await expect(countFor(desk, DOCTOR.displayName).getByTestId('count-with-doctor')).toHaveText('1');
  await screen(desk, testInfo, 'queue-with-doctor');

  await first.getByRole('button', { name: 'Done' }).click();
  await expect(desk.getByTestId('queue-row-1')).toHaveCount(0);
  await desk.getByTestId('queue-row-2').getByRole('button', { name: 'Left without being seen' }).click();
  await expect(desk.getByTestId('queue-empty')).toBeVisible();

  await desk.getByLabel('Show finished').check();
  await expect(desk.getByTestId('queue-row-1')).toContainText('Done');
  await expect(desk.getByTestId('queue-row-2')).toContainText('Left without being seen');
  await expect(desk.getByTestId('queue-row-1').getByRole('button')).toHaveCount(0);
  await screen(desk, testInfo, 'queue-finished');
});

async function openBooking(desk: Page, patient: RegisteredPatient) {
  await desk.getByRole('button', { name: 'Book appointment' }).click();
  await desk.getByLabel('Find patient').fill(patient.patientNumber);
  await desk.getByLabel('Find patient').press('Enter');
  await desk.getByRole('button', { name: `Book for ${patient.name}` }).click();
  const form = desk.getByRole('form', { name: `Book an appointment for ${patient.name}` });
  await expect(form.getByLabel('Doctor')).toHaveValue(/.+/);
  return form;
}

function slot(form: ReturnType<Page['getByRole']>, time: string) {
  return form.getByTestId('slot-picker').getByRole('button', { name: time, exact: true });
}

function appointmentOf(desk: Page, date: string, name: string) {
  return desk.getByTestId(`day-${date}`).getByTestId('appointment').filter({ hasText: name });
}

test('appointments: book tomorrow, refused when taken meanwhile, day and week views, reschedule, cancel, check in', async ({
  page,
  browser,
  kavach,
}, testInfo) => {
  test.setTimeout(150_000);
  const desk = await openClinic(page, browser, kavach, testInfo);
  const today = clinicDay(kavach.clock.now());
  const tomorrow = addDays(today, 1);
  const arjun = await registerPatient(desk, 'Arjun', 'Rao', 45);
  const farah = await registerPatient(desk, 'Farah', 'Nguyễn', 29);
  const kiran = await registerPatient(desk, 'Kiran', 'Shetty', 52);
  const lakshmi = await registerPatient(desk, 'Lakshmi', 'Menon', 70);

  await desk.getByRole('link', { name: 'Appointments' }).click();
  await expect(desk.getByTestId(`day-${today}`)).toContainText('No appointments.');

  // Book Arjun for tomorrow 09:00: the form starts on tomorrow.
  let form = await openBooking(desk, arjun);
  await expect(form.getByLabel('Date')).toHaveValue(tomorrow);
  await slot(form, '09:00').click();
  await form.getByLabel('Reason').fill('Diabetes follow-up');
  await form.getByRole('button', { name: 'Book appointment' }).click();
  await expect(desk.getByTestId('appointments-notice')).toContainText(
    `Booked ${arjun.name} with ${DOCTOR.displayName}`,
  );
  // The day view moves to the booked day.
  await expect(desk.getByLabel('Date', { exact: true })).toHaveValue(tomorrow);
  const arjunRow = appointmentOf(desk, tomorrow, arjun.name);
  await expect(arjunRow).toContainText('09:00–09:15');
  await expect(arjunRow).toContainText(arjun.patientNumber);
  await expect(arjunRow).toContainText('Diabetes follow-up');
  await expect(arjunRow).toContainText('Booked');
  // Check-in is for the appointment's own day only.
  await expect(arjunRow.getByRole('button', { name: /^Check in/ })).toHaveCount(0);

  // Farah's form shows 09:00 taken; meanwhile another desk books 09:15.
  form = await openBooking(desk, farah);
  await expect(slot(form, '09:00')).toHaveCount(0);
  await expect(form.getByTestId('slot-picker').getByRole('button', { name: '09:00 taken' })).toBeDisabled();
  await slot(form, '09:15').click();
  const other = await desk.evaluate(
    async ([patientId, date]) => {
      const doctors = await window.kavach['doctors.list']({});
      if (!doctors.ok || !doctors.value[0]) throw new Error('No doctor to book with');
      return window.kavach['appointments.book']({
        doctorId: doctors.value[0].id,
        patientId,
        date,
        start: '09:15',
        reason: 'Booked at the other desk',
      });
    },
    [kiran.id, tomorrow] as const,
  );
  expect(other.ok).toBe(true);
  await form.getByRole('button', { name: 'Book appointment' }).click();
  await expect(form.getByTestId('slot-error')).toHaveText('This slot is already booked');
  await expect(form.getByTestId('book-error')).toHaveText('That slot is already booked. Choose another.');
  await expect(form.getByTestId('slot-picker').getByRole('button', { name: '09:15 taken' })).toBeDisabled();
  await screen(desk, testInfo, 'queue-booking-refused');
  await slot(form, '09:30').click();
  await form.getByRole('button', { name: 'Book appointment' }).click();
  await expect(appointmentOf(desk, tomorrow, farah.name)).toContainText('09:30–09:45');
  await expect(appointmentOf(desk, tomorrow, kiran.name)).toContainText('09:15–09:30');

  // Week view from today shows tomorrow's bookings in their day.
  await desk.getByRole('button', { name: 'Week' }).click();
  await desk.getByRole('button', { name: 'Today' }).click();
  await expect(desk.getByTestId('appointment')).toHaveCount(3);
  await expect(desk.getByTestId(`day-${addDays(today, 6)}`)).toBeVisible();
  await expect(appointmentOf(desk, tomorrow, arjun.name)).toBeVisible();
  await screen(desk, testInfo, 'queue-appointments-week');

  // Reschedule Arjun to 10:00 and cancel Kiran's.
  await desk.getByRole('button', { name: `Reschedule ${arjun.name} at 09:00` }).click();
  const move = desk.getByRole('form', { name: `Reschedule ${arjun.name}` });
  await slot(move, '10:00').click();
  await move.getByRole('button', { name: 'Move appointment' }).click();
  await expect(desk.getByTestId('appointments-notice')).toContainText(`Moved ${arjun.name}`);
  await expect(appointmentOf(desk, tomorrow, arjun.name)).toContainText('10:00–10:15');

  await desk.getByRole('button', { name: `Cancel ${kiran.name} at 09:15` }).click();
  await desk.getByRole('button', { name: `Yes, cancel it ${kiran.name} at 09:15` }).click();
  await expect(appointmentOf(desk, tomorrow, kiran.name)).toContainText('Cancelled');
  await expect(appointmentOf(desk, tomorrow, kiran.name).getByRole('button')).toHaveCount(0);

  // Lakshmi is booked for the last slot today and checked in when she arrives.
  form = await openBooking(desk, lakshmi);
  await form.getByLabel('Date').fill(today);
  await slot(form, '16:45').click();
  await form.getByRole('button', { name: 'Book appointment' }).click();
  const lakshmiRow = appointmentOf(desk, today, lakshmi.name);
  await expect(lakshmiRow).toContainText('16:45–17:00');
  await desk.getByRole('button', { name: `Check in ${lakshmi.name} at 16:45` }).click();
  await expect(desk.getByTestId('appointments-notice')).toHaveText(
    `Token 1: ${lakshmi.name} is checked in for ${DOCTOR.displayName}.`,
  );
  await expect(lakshmiRow).toContainText('Checked in');
  await screen(desk, testInfo, 'queue-appointments-checked-in');

  await desk.getByRole('link', { name: 'Queue' }).click();
  await expect(desk.getByTestId('queue-row-1')).toContainText(lakshmi.name);
  await expect(desk.getByTestId('queue-row-1')).toContainText('by appointment');
  await expect(countFor(desk, DOCTOR.displayName).getByTestId('count-waiting')).toHaveText('1');

  // The doctor sees the same bookings, read-only, starting on their own column.
  await page.getByRole('button', { name: 'Log out' }).click();
  await logIn(page, DOCTOR.username, DOCTOR.password);
  await page.getByRole('link', { name: 'Appointments' }).click();
  await expect(page.getByLabel('Doctor').locator('option:checked')).toHaveText(DOCTOR.displayName);
  await page.getByRole('button', { name: 'Next day' }).click();
  await expect(appointmentOf(page, tomorrow, arjun.name)).toContainText('10:00–10:15');
  await expect(page.getByRole('button', { name: /^Check in/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Book appointment' })).toHaveCount(0);
  await screen(page, testInfo, 'queue-appointments-doctor');
});

const SECOND_DOCTOR = {
  username: 'dr.arun',
  displayName: 'Dr. Arun Bose',
  role: 'doctor',
  password: 'Otoscope-green-31',
  registrationNumber: 'WBMC-2015-0092',
  department: 'ENT',
} as const;

test('schedules: leave days reach booking and check-in, and a doctor cannot change another doctor’s hours', async ({
  page,
  browser,
  kavach,
}, testInfo) => {
  test.setTimeout(120_000);
  const desk = await openClinic(page, browser, kavach, testInfo);
  const today = clinicDay(kavach.clock.now());
  await page.getByRole('link', { name: 'Staff' }).click();
  await addStaff(page, SECOND_DOCTOR);

  await page.getByRole('link', { name: 'Schedules' }).click();
  await page.getByLabel('Doctor').selectOption({ label: DOCTOR.displayName });
  await addLeaveDay(page, today, 'Sick');
  await addLeaveDay(page, addDays(today, 2), 'Conference');
  await page
    .getByRole('button', { name: /^Remove leave on/ })
    .first()
    .click();
  await expect(page.getByTestId('leave-day')).toHaveCount(1);
  await addLeaveDay(page, today, 'Sick');
  await screen(page, testInfo, 'queue-schedules-leave');

  const anita = await registerPatient(desk, 'Anita', 'Joshi', 38);
  await desk.getByRole('link', { name: 'Queue' }).click();
  await desk.getByRole('button', { name: 'Check in a patient' }).click();
  await desk.getByLabel('Find patient').fill('Anita');
  await desk.getByLabel('Find patient').press('Enter');
  await desk.getByRole('button', { name: `Check in ${anita.name}` }).click();
  await expect(desk.getByLabel('Doctor').locator('option', { hasText: DOCTOR.displayName })).toHaveText(
    `${DOCTOR_OPTION} (on leave today)`,
  );
  await desk.getByRole('button', { name: 'Cancel' }).click();

  await desk.getByRole('link', { name: 'Appointments' }).click();
  const form = await openBooking(desk, anita);
  await form.getByLabel('Doctor').selectOption({ label: `${DOCTOR_OPTION} (on leave today)` });
  await form.getByLabel('Date').fill(addDays(today, 2));
  await expect(form.getByTestId('slot-notice')).toContainText('on leave');
  await screen(desk, testInfo, 'queue-booking-on-leave');

  // Dr. Arun sees his own (empty) week first; Dr. Meera's can be read but not changed.
  await page.getByRole('button', { name: 'Log out' }).click();
  await logIn(page, SECOND_DOCTOR.username, SECOND_DOCTOR.password);
  await page.getByRole('link', { name: 'Schedules' }).click();
  await expect(page.getByLabel('Doctor').locator('option:checked')).toHaveText(SECOND_DOCTOR.displayName);
  await expect(
    page.getByRole('heading', { name: `Weekly hours of ${SECOND_DOCTOR.displayName}` }),
  ).toBeVisible();
  await page.getByLabel('Doctor').selectOption({ label: DOCTOR.displayName });
  await expect(page.getByTestId('session-row')).toHaveCount(7);
  await page.getByLabel('Session 1 ends').fill('12:00');
  await page.getByRole('button', { name: 'Save weekly hours' }).click();
  await expect(page.getByTestId('weekly-error')).toHaveText(
    'Doctors can change only their own hours and leave.',
  );
  await screen(page, testInfo, 'queue-schedules-forbidden');
});
