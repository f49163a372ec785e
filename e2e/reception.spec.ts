import { readFile } from 'node:fs/promises';
import { verhoeffCheckDigit } from '../src-shared/aadhaar';
import {
  addStaff,
  expect,
  fillSetup,
  type KavachFixture,
  logIn,
  openWindow,
  type Page,
  RECEPTIONIST,
  screen,
  test,
} from './harness';

const ID_BODY = '49876543210';
const AADHAAR = `${ID_BODY}${verhoeffCheckDigit(ID_BODY)}`;
const BAD_AADHAAR = `${ID_BODY}${(verhoeffCheckDigit(ID_BODY) + 1) % 10}`;
const grouped = (id: string) => id.replace(/(\d{4})(?=\d)/g, '$1 ');
// A 1×1 PNG: enough for main's magic-byte check and for the browser to decode.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** Admin sets up the clinic and adds a receptionist; returns the receptionist's window. */
async function openReceptionDesk(
  page: Page,
  browser: Parameters<typeof openWindow>[0],
  kavach: KavachFixture,
) {
  await page.goto(kavach.url);
  await fillSetup(page);
  await expect(page.getByTestId('user-role')).toHaveText('Admin');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Staff' }).click();
  await addStaff(page, RECEPTIONIST);
  const desk = await openWindow(browser, kavach);
  await logIn(desk, RECEPTIONIST.username, RECEPTIONIST.password);
  await expect(desk.getByRole('heading', { name: 'Reception' })).toBeVisible();
  return desk;
}

function registrationForm(desk: Page) {
  return desk.getByRole('form', { name: 'Register new patient' });
}

async function fillEssentials(
  desk: Page,
  p: { given: string; family: string; sex: string; dob: string; phone: string },
) {
  const form = registrationForm(desk);
  await expect(form.getByLabel('Given name(s)')).toBeFocused();
  await form.getByLabel('Given name(s)').fill(p.given);
  await form.getByLabel('Family name').fill(p.family);
  await form.getByLabel('Sex', { exact: true }).selectOption(p.sex);
  await form.getByLabel('Date of birth').fill(p.dob);
  await form.getByLabel('Phone', { exact: true }).fill(p.phone);
}

async function registerFirst(desk: Page): Promise<string> {
  await desk.getByRole('button', { name: /Register new patient/ }).click();
  const form = registrationForm(desk);
  await fillEssentials(desk, {
    given: 'Lakshmi',
    family: 'Narayanan',
    sex: 'female',
    dob: '1984-03-12',
    phone: '98765 43210',
  });
  await form.getByRole('button', { name: /More details/ }).click();
  await form.getByLabel('Address line').fill('12 Temple Street');
  await form.getByLabel('Village or city').fill('Madurai');
  await form.getByLabel('Aadhaar number').fill(grouped(AADHAAR));
  await expect(form.getByText('Looks valid.')).toBeVisible();
  const allergies = form.getByLabel('Allergies', { exact: true });
  await allergies.fill('penicillin');
  await allergies.press('Enter');
  await expect(form.getByRole('list', { name: 'Allergies added' })).toContainText('penicillin');
  await form.getByLabel('Preferred language').fill('Tamil');
  await form.getByLabel('Preferred language').press('Enter');
  const number = desk.getByTestId('registered-number');
  await expect(number).toHaveText(/\S+-\d{5}/);
  await expect(desk.getByRole('heading', { name: 'Lakshmi Narayanan' })).toBeVisible();
  return (await number.textContent()) ?? '';
}

async function registerNearDuplicate(
  desk: Page,
  firstNumber: string,
  testInfo: Parameters<typeof screen>[1],
) {
  await desk.keyboard.press('Alt+N');
  await fillEssentials(desk, {
    given: 'Lakshmi',
    family: 'Narayanen',
    sex: 'female',
    dob: '1984-11-02',
    phone: '91234 56780',
  });
  await registrationForm(desk).getByLabel('Family name').press('Enter');
  const dialog = desk.getByRole('dialog', { name: /possible duplicate/i });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Lakshmi Narayanan');
  await expect(dialog).toContainText(firstNumber);
  await expect(dialog).toContainText('Similar name, born within a year');
  await expect(dialog).toContainText('XXXX XXXX');
  await screen(desk, testInfo, 'reception-duplicate-warning');
  await dialog.getByRole('button', { name: 'Register as new' }).click();
  const number = desk.getByTestId('registered-number');
  await expect(number).toHaveText(/\S+-\d{5}/);
  const second = (await number.textContent()) ?? '';
  expect(second).not.toBe(firstNumber);
  await expect(desk.getByRole('heading', { name: 'Lakshmi Narayanen' })).toBeVisible();
  return second;
}

async function refuseBadInput(desk: Page, testInfo: Parameters<typeof screen>[1]) {
  await desk.keyboard.press('Alt+N');
  const form = registrationForm(desk);
  await fillEssentials(desk, {
    given: 'Zubin',
    family: 'Wadia',
    sex: 'male',
    dob: `${new Date().getFullYear() + 1}-01-15`,
    phone: '12345',
  });
  await form.getByRole('button', { name: /More details/ }).click();
  await form.getByLabel('Aadhaar number').fill(BAD_AADHAAR);
  await expect(form.getByText('The check digit does not match')).toBeVisible();
  await form.getByLabel('Height (cm)').fill('400');
  await form.getByLabel('Given name(s)').press('Enter');

  await expect(form.getByTestId('patient-form-error')).toHaveText('4 fields need attention.');
  const invalid = [
    ['Date of birth', 'Date of birth cannot be in the future'],
    ['Aadhaar number', 'Aadhaar number is not valid (check digit does not match)'],
    ['Phone', 'Enter a 10-digit Indian mobile number'],
    ['Height (cm)', 'Height must be between 30 and 250 cm'],
  ] as const;
  for (const [label, message] of invalid) {
    const field = form.getByLabel(label, { exact: true });
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    await expect(field).toHaveAccessibleDescription(new RegExp(message.replace(/[()]/g, '\\$&')));
  }
  await expect(form.getByLabel('Given name(s)')).not.toHaveAttribute('aria-invalid', 'true');
  await screen(desk, testInfo, 'reception-invalid-input');
  // What was typed survives one stray Escape; a second one discards it.
  await form.getByLabel('Given name(s)').press('Escape');
  await expect(form.getByTestId('patient-form-keys')).toHaveText(
    'Press Esc again to discard what you typed.',
  );
  await form.getByLabel('Given name(s)').press('Escape');
  await expect(form).toHaveCount(0);

  await search(desk, 'Zubin');
  await expect(desk.getByTestId('search-status')).toHaveText('No patients found for “Zubin”.');
}

async function search(desk: Page, query: string) {
  const box = desk.getByRole('combobox', { name: 'Find a patient' });
  await box.fill(query);
  await expect(desk.getByTestId('search-status')).not.toHaveText(/Searching|Type at least/);
  return box;
}

async function findFirst(desk: Page, testInfo: Parameters<typeof screen>[1]) {
  const results = desk.getByRole('listbox', { name: 'Patients found' });
  await search(desk, '9876543210');
  await expect(desk.getByTestId('search-status')).toHaveText('1 patient found.');
  await expect(results.getByRole('option')).toHaveText([/Lakshmi Narayanan/]);

  const box = await search(desk, 'Nar');
  await expect(desk.getByTestId('search-status')).toHaveText('2 patients found.');
  await expect(results.getByRole('option').first()).toContainText('Lakshmi Narayanan');
  await expect(results.getByRole('option').first()).toContainText(`XXXX XXXX ${AADHAAR.slice(8)}`);
  await expect(results.getByRole('option').first()).toContainText('No visits');
  await box.press('ArrowDown');
  await expect(results.getByRole('option').nth(1)).toHaveAttribute('aria-selected', 'true');
  await screen(desk, testInfo, 'reception-search');
  await box.press('ArrowUp');
  await box.press('Enter');
  await expect(desk.getByRole('heading', { name: 'Lakshmi Narayanan' })).toBeVisible();
}

async function revealCorrectAndPrint(desk: Page, testInfo: Parameters<typeof screen>[1]) {
  const aadhaar = desk.getByTestId('aadhaar-value');
  await expect(aadhaar).toHaveText(`XXXX XXXX ${AADHAAR.slice(8)}`);
  await desk.getByRole('button', { name: 'Reveal Aadhaar' }).click();
  await expect(aadhaar).toHaveText(grouped(AADHAAR));
  await screen(desk, testInfo, 'reception-aadhaar-revealed');
  await desk.getByRole('button', { name: 'Hide Aadhaar' }).click();
  await expect(aadhaar).toHaveText(`XXXX XXXX ${AADHAAR.slice(8)}`);

  await desk.getByRole('button', { name: 'Correct details' }).click();
  const form = desk.getByRole('form', { name: 'Correct details of Lakshmi Narayanan' });
  await expect(form.getByLabel('Aadhaar number')).toHaveValue('');
  await expect(form.getByLabel('Aadhaar number')).toHaveAttribute(
    'placeholder',
    `XXXX XXXX ${AADHAAR.slice(8)}`,
  );
  await expect(form.getByLabel('Address line')).toHaveValue('12 Temple Street');
  await form.getByLabel('Address line').fill('14 Temple Street, near the tank');
  await form.getByLabel('Address line').press('Enter');
  await expect(desk.getByTestId('patient-notice')).toHaveText('Details corrected.');
  await expect(desk.getByTestId('record-address')).toHaveText('14 Temple Street, near the tank, Madurai');
  await expect(aadhaar).toHaveText(`XXXX XXXX ${AADHAAR.slice(8)}`);

  await desk.getByLabel('Photo file').setInputFiles({ name: 'face.png', mimeType: 'image/png', buffer: PNG });
  await expect(desk.getByRole('img', { name: 'Photo of Lakshmi Narayanan' })).toBeVisible();
  await expect(desk.getByRole('button', { name: 'Replace photo' })).toBeVisible();
  // A camera-sized picture (several MB of noise) is redrawn smaller before it is sent.
  const big = await desk.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 1200;
    canvas.height = 800;
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
    const image = ctx.createImageData(1200, 800);
    for (let i = 0; i < image.data.length; i++) image.data[i] = i % 4 === 3 ? 255 : Math.random() * 256;
    ctx.putImageData(image, 0, 0);
    return canvas.toDataURL('image/png').split(',')[1] ?? '';
  });
  const bigPng = Buffer.from(big, 'base64');
  expect(bigPng.length).toBeGreaterThan(1_000_000);
  await desk
    .getByLabel('Photo file')
    .setInputFiles({ name: 'camera.png', mimeType: 'image/png', buffer: bigPng });
  await expect(desk.getByRole('img', { name: 'Photo of Lakshmi Narayanan' })).toHaveJSProperty('height', 80);
  await expect(desk.getByTestId('patient-panel').getByRole('alert')).toHaveCount(0);
  await expect(desk.getByTestId('connection-banner')).toHaveCount(0);
  await screen(desk, testInfo, 'reception-patient-panel');

  // Checked in first, so the slip carries the day's token (the queue journeys test check-in itself).
  await desk.getByRole('button', { name: 'Check in', exact: true }).click();
  const checkIn = desk.getByRole('form', { name: 'Check in Lakshmi Narayanan' });
  await checkIn.getByLabel('Reason for visit').fill('Fever for 3 days');
  await checkIn.getByLabel('Reason for visit').press('Enter');
  await expect(desk.getByTestId('patient-notice')).toHaveText(/^Checked in: token \d+/);

  const download = desk.waitForEvent('download');
  await desk.getByRole('button', { name: 'Print registration slip' }).click();
  const slip = await download;
  expect(slip.suggestedFilename()).toMatch(/\.pdf$/);
  const bytes = await readFile(await slip.path());
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('%PDF');
  await expect(desk.getByTestId('slip-link')).toBeVisible();
}

async function adminSeesHistory(page: Page, testInfo: Parameters<typeof screen>[1]) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Patient history' }).click();
  const box = await search(page, 'Narayanan');
  await expect(page.getByTestId('search-status')).toHaveText('1 patient found.');
  await box.press('Enter');
  const address = page.getByTestId('history-address');
  await expect(address.getByRole('row')).toHaveCount(2);
  await expect(address.getByRole('row').nth(0)).toContainText('14 Temple Street, near the tank');
  await expect(address.getByRole('row').nth(0)).toContainText('Corrected');
  await expect(address.getByRole('row').nth(0)).toContainText(RECEPTIONIST.displayName);
  await expect(address.getByRole('row').nth(1)).toContainText('12 Temple Street');
  await expect(address.getByRole('row').nth(1)).toContainText('Registered');
  await expect(page.getByTestId('history-nationalId')).toContainText(`XXXX XXXX ${AADHAAR.slice(8)}`);
  await expect(page.getByTestId('patient-history')).not.toContainText(AADHAAR);
  await screen(page, testInfo, 'reception-admin-history');
}

test('reception registers walk-ins, catches near-duplicates and bad input, finds, reveals, corrects and prints', async ({
  page,
  browser,
  kavach,
}, testInfo) => {
  const desk = await openReceptionDesk(page, browser, kavach);
  const cspViolations: string[] = [];
  desk.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await screen(desk, testInfo, 'reception-start');

  const first = await registerFirst(desk);
  await screen(desk, testInfo, 'reception-registered');
  await registerNearDuplicate(desk, first, testInfo);
  await refuseBadInput(desk, testInfo);
  await findFirst(desk, testInfo);
  await revealCorrectAndPrint(desk, testInfo);
  await adminSeesHistory(page, testInfo);
  expect(cspViolations).toEqual([]);
});
