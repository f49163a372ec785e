import { readFile } from 'node:fs/promises';
import { expect, screen, setUpClinic, test } from './harness';

/**
 * The admin's audit journey: look at the trail by action, verify its hash chain, export it
 * as CSV, then find an injection attempt on the Security page and acknowledge it.
 */
test('admin filters and verifies the audit trail, exports CSV, acknowledges an injection attempt', async ({
  page,
  kavach,
}, testInfo) => {
  await setUpClinic(page, kavach);
  // An injection attempt through the bridge, as a hijacked page would make it.
  const attempt = await page.evaluate(() => window.kavach['patients.search']({ query: "' OR 1=1 --" }));
  expect(attempt.ok).toBe(true);

  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Workstations', exact: true })).toBeVisible();
  await nav.getByRole('link', { name: 'Audit', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Audit', level: 1 })).toBeVisible();
  await expect(page.getByTestId('audit-row').first()).toBeVisible();
  const filters = page.getByRole('form', { name: 'Audit filters' });
  await filters.getByLabel('Action').selectOption('patients.search');
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByTestId('audit-row')).toHaveCount(1);
  await expect(page.getByTestId('audit-action')).toHaveText(['patients.search']);

  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByTestId('chain-result')).toHaveText(/^Chain verified: \d+ events\.$/);
  await screen(page, testInfo, 'audit-filtered-verified');

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^kavach-audit-.*\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  const lines = csv.split('\r\n').filter((l) => l !== '');
  expect(lines[0]).toBe(
    '"seq","time_utc","user","user_id","role","action","outcome","subject_type","subject_id","detail"',
  );
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain('"patients.search"');

  await nav.getByRole('link', { name: 'Security', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Security', level: 1 })).toBeVisible();
  await expect(page.getByTestId('security-total-injection-detected')).toHaveText('1');
  await page.getByLabel('Kind').selectOption('injection-detected');
  const row = page.getByTestId('security-row');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('patients.search');
  await expect(row).toContainText('fields: query');
  await expect(page.locator('main')).not.toContainText('OR 1=1');
  await row.getByRole('checkbox').check();
  await screen(page, testInfo, 'security-before-acknowledge');
  await page.getByRole('button', { name: /^Acknowledge/ }).click();
  await expect(page.getByTestId('security-notice')).toHaveText('1 event acknowledged.');
  await expect(page.getByTestId('security-row')).toHaveCount(0);
  await page.getByLabel('Status').selectOption('done');
  await expect(page.getByTestId('security-row')).toHaveCount(1);
  await expect(page.getByTestId('security-row')).toContainText(`by Asha Admin`);

  await nav.getByRole('link', { name: 'Workstations', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Sync', level: 1 })).toBeVisible();
});
