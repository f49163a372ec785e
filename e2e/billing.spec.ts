import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import {
  addStaff,
  clinicDay,
  DOCTOR,
  expect,
  logIn,
  openWindow,
  type Page,
  RECEPTIONIST,
  registerPatient,
  screen,
  setUpClinic,
  test,
} from './harness';

/**
 * Billing: admin prices a consultation and a lab test; reception bills a checked-in visit,
 * issues the invoice, takes part in cash (change due) and the rest by UPI, is stopped by a
 * payment over the balance, and prints the receipt; the doctor sees the balance on the
 * chart; admin's daily report adds up to what was paid, exports CSV and verifies the ledger.
 */

async function addPrice(
  page: Page,
  p: { code: string; name: string; category: string; doctor?: string; price: string; tax: string },
): Promise<void> {
  await page.getByRole('button', { name: 'Add a price' }).click();
  const form = page.getByRole('form', { name: 'Add a price' });
  await form.getByLabel('Code').fill(p.code);
  await form.getByLabel('Name').fill(p.name);
  await form.getByLabel('Category').selectOption({ label: p.category });
  if (p.doctor) await form.getByLabel('Doctor').selectOption({ label: p.doctor });
  await form.getByLabel('Department').fill(DOCTOR.department);
  await form.getByLabel('Price (₹)').fill(p.price);
  await form.getByLabel('Tax rate').selectOption({ label: p.tax });
  await form.getByRole('button', { name: 'Save price' }).click();
  await expect(form).toBeHidden();
  await expect(page.getByTestId(`price-row-${p.code}`)).toContainText(p.name);
}

async function addLine(desk: Page, query: string, code: string): Promise<void> {
  await desk.getByLabel('Add an item').fill(query);
  await desk.getByRole('option', { name: new RegExp(code) }).click();
}

function pdfText(path: string): string {
  return execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
}

test('billing: price list, invoice, cash with change, UPI, over-balance refused, receipt, daily report, ledger', async ({
  page,
  browser,
  kavach,
}, testInfo) => {
  test.setTimeout(90_000);
  await setUpClinic(page, kavach);
  await addStaff(page, DOCTOR);
  await addStaff(page, RECEPTIONIST);

  // Admin prices a consultation with the doctor and a taxed lab test; too many decimals is refused.
  await page.getByRole('link', { name: 'Price list' }).click();
  await expect(page.getByRole('heading', { name: 'Price list', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Add a price' }).click();
  const form = page.getByRole('form', { name: 'Add a price' });
  await form.getByLabel('Code').fill('LAB-X');
  await form.getByLabel('Name').fill('Bad price');
  await form.getByLabel('Price (₹)').fill('12.345');
  await form.getByRole('button', { name: 'Save price' }).click();
  await expect(form.getByText('Use at most two decimals (paise)')).toBeVisible();
  await expect(form.getByLabel('Price (₹)')).toHaveAttribute('aria-invalid', 'true');
  await form.getByRole('button', { name: 'Cancel' }).click();
  await addPrice(page, {
    code: 'CONS-MEERA',
    name: 'Consultation, Dr. Meera Iyer',
    category: 'Consultation',
    doctor: DOCTOR.displayName,
    price: '500',
    tax: '0 %',
  });
  await addPrice(page, {
    code: 'LAB-CBC',
    name: 'Complete blood count',
    category: 'Lab test',
    price: '350.50',
    tax: '5 %',
  });
  await expect(page.getByTestId('price-row-LAB-CBC')).toContainText('₹350.50');
  // A new price from tomorrow is a second version; today's bill still takes today's price.
  await page.getByRole('button', { name: 'Edit LAB-CBC' }).click();
  const edit = page.getByRole('form', { name: 'Edit LAB-CBC' });
  await edit.getByLabel('Price (₹)').fill('420');
  await edit.getByLabel('Effective from').fill(clinicDay(kavach.clock.now() + 86_400_000));
  await edit.getByRole('button', { name: 'Save price' }).click();
  await expect(page.getByTestId('prices-notice')).toContainText('LAB-CBC saved: ₹420.00');
  await expect(page.getByTestId('price-row-LAB-CBC')).toHaveCount(1);
  await expect(page.getByTestId('price-row-LAB-CBC')).toContainText('₹350.50');
  await page.getByLabel('Show inactive and future prices').check();
  await expect(page.getByTestId('price-row-LAB-CBC')).toHaveCount(2);
  await expect(page.getByTestId('price-row-LAB-CBC').filter({ hasText: '₹420.00' })).toHaveCount(1);
  await screen(page, testInfo, 'billing-price-list');

  // Reception registers and checks in a patient for the doctor (both journeys test those forms).
  const desk = await openWindow(browser, kavach);
  await logIn(desk, RECEPTIONIST.username, RECEPTIONIST.password);
  await expect(desk.getByTestId('user-name')).toHaveText(RECEPTIONIST.displayName);
  const patient = await registerPatient(desk, 'Kavitha', 'Raman', 52);
  const checkedIn = await desk.evaluate(async (patientId) => {
    const doctors = await window.kavach['doctors.list']({});
    const doctorId = doctors.ok ? (doctors.value[0]?.id ?? null) : null;
    return window.kavach['visits.checkIn']({ patientId, doctorId, reason: 'Fatigue', priority: 'routine' });
  }, patient.id);
  expect(checkedIn.ok).toBe(true);

  // Billing: the visit from today's queue, two lines with a discount, live totals in paise.
  await desk.getByRole('link', { name: 'Billing' }).click();
  await expect(desk.getByRole('heading', { name: 'Billing', level: 1 })).toBeVisible();
  await desk.getByTestId('billing-visit-1').getByRole('button', { name: 'Bill token 1' }).click();
  await expect(desk.getByTestId('outstanding')).toHaveText('₹0.00');
  await addLine(desk, 'cons', 'CONS-MEERA');
  await addLine(desk, 'blood', 'LAB-CBC');
  const line1 = desk.getByRole('group', { name: 'Line 1' });
  await expect(line1.getByLabel('Unit price (₹)')).toHaveValue('500');
  await line1.getByLabel('Discount (₹)').fill('50');
  await expect(line1.getByTestId('line-total')).toHaveText('₹450.00');
  // 350.50 at 5 %: 17.525 rounds half up to 17.53.
  await expect(desk.getByRole('group', { name: 'Line 2' }).getByTestId('line-total')).toHaveText('₹368.03');
  await expect(desk.getByTestId('total-subtotal')).toHaveText('₹850.50');
  await expect(desk.getByTestId('total-discount')).toHaveText('₹50.00');
  await expect(desk.getByTestId('total-tax')).toHaveText('₹17.53');
  await expect(desk.getByTestId('total-total')).toHaveText('₹818.03');
  // Bad lines are refused beside their fields, and nothing is saved.
  const line2 = desk.getByRole('group', { name: 'Line 2' });
  await line2.getByLabel('Quantity').fill('0');
  await desk.getByRole('button', { name: 'Save draft' }).click();
  await expect(line2.getByText('Quantity must be at least 1')).toBeVisible();
  await expect(line2.getByLabel('Quantity')).toHaveAttribute('aria-invalid', 'true');
  await line2.getByLabel('Quantity').fill('1');
  await line2.getByLabel('Discount (₹)').fill('400');
  await desk.getByRole('button', { name: 'Save draft' }).click();
  await expect(line2.getByText('Discount is larger than the line')).toBeVisible();
  await expect(line2.getByLabel('Discount (₹)')).toHaveAttribute('aria-invalid', 'true');
  await line2.getByLabel('Discount (₹)').fill('0');
  await expect(desk.getByRole('heading', { name: 'New invoice' })).toBeVisible();
  await desk.getByRole('button', { name: 'Save draft' }).click();
  await expect(desk.getByTestId('invoice-notice')).toHaveText('Draft saved.');
  await expect(desk.getByRole('heading', { name: 'Draft invoice' })).toBeVisible();
  await expect(line2.getByLabel('Discount (₹)')).not.toHaveAttribute('aria-invalid', 'true');
  await screen(desk, testInfo, 'billing-draft');
  await desk.getByRole('button', { name: 'Issue invoice' }).click();
  await expect(desk.getByTestId('invoice-status')).toHaveText('Issued');
  const number = (await desk.getByTestId('invoice-number').textContent()) ?? '';
  expect(number).toMatch(/^INV-[A-Z0-9]{5}-\d{6}$/);
  await expect(desk.getByTestId('total-balance')).toHaveText('₹818.03');
  await expect(desk.getByTestId('outstanding')).toHaveText('₹818.03');

  // Part in cash: 1000 handed over for 500, change 500.
  await expect(desk.getByLabel('Amount (₹)')).toHaveValue('818.03');
  await desk.getByLabel('Amount (₹)').fill('500');
  await desk.getByLabel('Tendered (₹)').fill('1000');
  await expect(desk.getByTestId('change-due-live')).toHaveText('Change due: ₹500.00');
  await desk.getByRole('button', { name: 'Record Cash payment' }).click();
  const outcome = desk.getByTestId('payment-outcome');
  await expect(outcome.getByTestId('outcome-status')).toHaveText('Partly paid');
  await expect(outcome.getByTestId('outcome-paid')).toHaveText('₹500.00');
  await expect(outcome.getByTestId('outcome-balance')).toHaveText('₹318.03');
  await expect(outcome.getByTestId('outcome-change')).toHaveText('₹500.00');
  await expect(desk.getByTestId('outstanding')).toHaveText('₹318.03');
  await screen(desk, testInfo, 'billing-partly-paid');

  // More than the balance by UPI: refused beside the amount, nothing recorded.
  await desk.getByLabel('UPI', { exact: true }).check();
  await desk.getByLabel('Amount (₹)').fill('400');
  await desk.getByLabel('UPI reference').fill('412398765432');
  await desk.getByRole('button', { name: 'Record UPI payment' }).click();
  await expect(desk.getByText('More than the balance of ₹318.03')).toBeVisible();
  await expect(desk.getByLabel('Amount (₹)')).toHaveAttribute('aria-invalid', 'true');
  await expect(desk.getByTestId('payment-row')).toHaveCount(1);
  await screen(desk, testInfo, 'billing-over-balance');

  // The doctor sees the outstanding balance on the chart, read-only.
  const doc = await openWindow(browser, kavach);
  await logIn(doc, DOCTOR.username, DOCTOR.password);
  await doc.getByTestId('doctor-queue-row-1').getByRole('button', { name: /^Open/ }).click();
  await expect(doc.getByTestId('chart-balance')).toHaveText('₹318.03');
  await doc.context().close();

  // The rest by UPI: paid.
  await desk.getByLabel('Amount (₹)').fill('318.03');
  await desk.getByRole('button', { name: 'Record UPI payment' }).click();
  await expect(outcome.getByTestId('outcome-status')).toHaveText('Paid');
  await expect(outcome.getByTestId('outcome-balance')).toHaveText('₹0.00');
  await expect(desk.getByTestId('invoice-status')).toHaveText('Paid');
  await expect(desk.getByTestId('payment-row')).toHaveCount(2);
  await expect(desk.getByTestId('outstanding')).toHaveText('₹0.00');
  await expect(desk.getByRole('form', { name: 'Take a payment' })).toHaveCount(0);
  await screen(desk, testInfo, 'billing-paid');

  // Found by name instead of the queue: the patient's invoices and balance.
  await desk.getByRole('tab', { name: 'Find a patient' }).click();
  await desk.getByLabel('Find a patient').fill('Kavitha');
  await desk.getByTestId('search-results').getByText(patient.name).click();
  const bills = desk.getByTestId('patient-bills');
  await expect(bills.getByTestId('outstanding')).toHaveText('₹0.00');
  await expect(bills.getByTestId('invoice-list')).toContainText(number);
  await expect(bills.getByTestId('invoice-list')).toContainText('Paid');

  // The receipt names the invoice and both methods.
  const saving = desk.waitForEvent('download');
  await desk.getByRole('button', { name: 'Receipt (PDF)' }).click();
  const receipt = await saving;
  expect(receipt.suggestedFilename()).toMatch(/\.pdf$/);
  const receiptPath = await receipt.path();
  expect((await readFile(receiptPath)).subarray(0, 4).toString('latin1')).toBe('%PDF');
  const text = pdfText(receiptPath);
  expect(text).toContain(number);
  expect(text).toMatch(/cash/i);
  expect(text).toMatch(/upi/i);

  // Admin: today's report adds up to what was paid, exports CSV, and the ledger verifies.
  await page.getByRole('link', { name: 'Daily report' }).click();
  await expect(page.getByRole('heading', { name: 'Daily report', level: 1 })).toBeVisible();
  await expect(page.getByTestId('report-total-cash').getByTestId('net')).toHaveText('₹500.00');
  await expect(page.getByTestId('report-total-upi').getByTestId('net')).toHaveText('₹318.03');
  await expect(page.getByTestId('report-grand-total')).toHaveText('₹818.03');
  await expect(page.getByTestId('report-row')).toHaveCount(2);
  await expect(page.getByTestId('report-rows')).toContainText(RECEPTIONIST.displayName);
  await page.getByLabel('All workstations').check();
  await expect(page.getByTestId('report-grand-total')).toHaveText('₹818.03');
  const csvSaving = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  const csvFile = await csvSaving;
  expect(csvFile.suggestedFilename()).toMatch(/\.csv$/);
  const csvLines = (await readFile(await csvFile.path(), 'utf8')).trim().split(/\r?\n/);
  const cashRow = csvLines.find((l) => /\bcash\b/i.test(l) && l.includes(RECEPTIONIST.displayName));
  const upiRow = csvLines.find((l) => /\bupi\b/i.test(l) && l.includes(RECEPTIONIST.displayName));
  expect(cashRow).toContain('500.00');
  expect(upiRow).toContain('318.03');
  await page.getByRole('button', { name: 'Verify ledger chains' }).click();
  await expect(page.getByTestId('ledger-result')).toHaveText('All 1 chain verifies (3 entries).');
  await screen(page, testInfo, 'billing-daily-report');

  // A part refund of the UPI payment reopens the balance; voiding is refused while money is paid.
  await desk.getByRole('button', { name: 'Refund ₹318.03' }).click();
  const refund = desk.getByTestId('refund-dialog');
  await expect(refund.getByLabel('Refund amount (₹)')).toHaveValue('318.03');
  await refund.getByLabel('Refund amount (₹)').fill('18.03');
  await refund.getByLabel('Reason').fill('Lab test repeated free of charge');
  await refund.getByRole('button', { name: 'Refund', exact: true }).click();
  await expect(refund).toBeHidden();
  await expect(desk.getByTestId('invoice-status')).toHaveText('Partly paid');
  await expect(desk.getByTestId('total-balance')).toHaveText('₹18.03');
  await expect(desk.getByTestId('payment-row')).toHaveCount(3);
  await desk.getByRole('button', { name: 'Void invoice…' }).click();
  const voiding = desk.getByTestId('void-dialog');
  await voiding.getByLabel('Reason for voiding').fill('Billed twice');
  await voiding.getByRole('button', { name: 'Void invoice' }).click();
  await expect(voiding.getByTestId('void-error')).toContainText('Refund the payments first');
  await voiding.getByRole('button', { name: 'Keep it' }).click();
  await expect(desk.getByTestId('invoice-status')).toHaveText('Partly paid');
  await page.getByRole('button', { name: 'Verify ledger chains' }).click();
  await expect(page.getByTestId('ledger-result')).toHaveText('All 1 chain verifies (4 entries).');

  // Admin may look the invoice up on the Billing screen (no payment form there).
  await page.getByRole('link', { name: 'Billing' }).click();
  await page.getByRole('button', { name: `Open ${number}` }).click();
  await expect(page.getByTestId('invoice-status')).toHaveText('Partly paid');
  await expect(page.getByTestId('payment-row')).toHaveCount(3);
  await expect(page.getByRole('form', { name: 'Take a payment' })).toHaveCount(0);
});
