import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, test as base, expect, type Page, type TestInfo } from '@playwright/test';
import { startPreviewServer } from '../src-main/app/preview-server.js';
import { openCore } from '../src-main/core.js';
import { createKeytarStore } from '../src-main/vault/keytar-store.js';
import type { KavachBridge } from '../src-shared/contract.js';

/**
 * Browser journeys run the real core (real SQLite, real keychain through keytar) behind the
 * real preview server, with a clock the test can move forward so idle locks and lockouts do
 * not need real waiting.
 */

export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export interface KavachFixture {
  origin: string;
  /** One-time sign-in address for the default page. */
  url: string;
  /** A fresh one-time address; every new browser context needs its own. */
  newLoginUrl(): string;
  clock: TestClock;
  dataDir: string;
}

export const ADMIN = {
  clinic: 'Sunrise Family Clinic',
  name: 'Asha Admin',
  username: 'asha',
  password: 'Tulsi-garden-42',
};

function createClock(): TestClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms;
    },
  };
}

/** The staff most journeys add: a receptionist, a doctor, and another clinic's receptionist. */
export const RECEPTIONIST = {
  username: 'ravi.k',
  displayName: 'Ravi Kumar',
  role: 'receptionist',
  password: 'Front-desk-morning-7',
} as const;
export const DOCTOR = {
  username: 'dr.meera',
  displayName: 'Dr. Meera Iyer',
  role: 'doctor',
  password: 'Stethoscope-blue-88',
  registrationNumber: 'KMC-2011-44817',
  department: 'General Medicine',
} as const;
export const OTHER_CLINIC_RECEPTIONIST = {
  username: 'anita.s',
  displayName: 'Anita Shah',
  role: 'receptionist',
  password: 'River-side-desk-19',
} as const;

export const test = base.extend<{ kavach: KavachFixture }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads fixture dependencies from this pattern
  kavach: async ({}, use) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kavach-e2e-'));
    const clock = createClock();
    const core = await openCore({ dataDir, secrets: createKeytarStore(), clock, log: () => {} });
    const server = await startPreviewServer({ core, rendererDir: 'out/renderer', log: () => {} });
    try {
      await use({ origin: server.origin, url: server.url, newLoginUrl: server.newLoginUrl, clock, dataDir });
    } finally {
      await server.close();
      await core.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
});

export type { Page, TestInfo };
export { expect };

declare global {
  interface Window {
    /** What code passed to page.evaluate sees: the bridge the renderer uses. */
    readonly kavach: KavachBridge;
  }
}

/** Saves a full-page screenshot under test-results/screens and attaches it to the report. */
export async function screen(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const dir = join('test-results', 'screens');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** A new browser context signed in to the preview with its own one-time address. */
export async function openWindow(browser: Browser, kavach: KavachFixture): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(kavach.newLoginUrl());
  return page;
}

/** Fills the first-run form; the password and confirmation can differ to test the checks. */
export async function fillSetup(page: Page, password = ADMIN.password, confirm = password): Promise<void> {
  await page.getByLabel('Clinic name').fill(ADMIN.clinic);
  await page.getByLabel('Your name').fill(ADMIN.name);
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password').fill(confirm);
  // The journeys log admins and doctors in throughout; e2e/totp.spec.ts turns this on itself.
  await page.getByLabel('Require a second factor for admins and doctors').uncheck();
  await page.getByLabel('Confirm password').press('Enter');
}

export async function setUpClinic(page: Page, kavach: KavachFixture): Promise<void> {
  await page.goto(kavach.url);
  await expect(page.getByRole('heading', { name: 'Set up Kavach' })).toBeVisible();
  await fillSetup(page);
  await expect(page.getByRole('heading', { name: 'Staff' })).toBeVisible();
  await expect(page.getByTestId('user-name')).toHaveText(ADMIN.name);
}

export async function logIn(page: Page, username: string, password: string): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
}

export interface NewStaff {
  username: string;
  displayName: string;
  role: 'admin' | 'doctor' | 'receptionist';
  password: string;
  registrationNumber?: string;
  department?: string;
}

/** Fills the Add staff form on the Staff screen and waits for the row to appear. */
export async function addStaff(page: Page, staff: NewStaff): Promise<void> {
  await page.getByRole('button', { name: 'Add staff' }).click();
  const form = page.getByRole('form', { name: 'Add staff member' });
  await form.getByLabel('Username').fill(staff.username);
  await form.getByLabel('Display name').fill(staff.displayName);
  await form.getByLabel('Role').selectOption(staff.role);
  await form.getByLabel('Initial password').fill(staff.password);
  if (staff.role === 'doctor') {
    await form.getByLabel('Registration number').fill(staff.registrationNumber ?? '');
    await form.getByLabel('Department').fill(staff.department ?? '');
  }
  await form.getByRole('button', { name: 'Add staff member' }).click();
  await expect(page.getByTestId('staff-notice')).toHaveText(`${staff.displayName} was added.`);
  const row = page.getByTestId(`staff-row-${staff.username}`);
  await expect(row).toContainText(staff.displayName);
  await expect(row).toContainText('Active');
}

/** The names in the main navigation, in order. */
export async function navNames(page: Page): Promise<string[]> {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
}

// --- Clinic clock and quick patients (queue and appointment journeys) ---

/**
 * Moves the core's clock to `hour`:00 tomorrow, clinic time, so a test knows which slots of
 * "today" are still ahead. Call before anyone logs in: a jump after login idle-locks them.
 */
export function startTomorrowAt(kavach: KavachFixture, hour: number): void {
  const target = new Date(kavach.clock.now());
  target.setDate(target.getDate() + 1);
  target.setHours(hour, 0, 0, 0);
  kavach.clock.advance(target.getTime() - kavach.clock.now());
}

/** Pins the page's Date to the core's clock so both agree on "today"; timers keep running. */
export async function pinBrowserClock(page: Page, kavach: KavachFixture): Promise<void> {
  await page.clock.setFixedTime(kavach.clock.now());
}

/** 'YYYY-MM-DD' of an instant in this machine's zone, the zone the core and browser share. */
export function clinicDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export interface RegisteredPatient {
  id: string;
  patientNumber: string;
  /** Given names and family name, as lists show it. */
  name: string;
}

/** Registers a patient through the page's bridge (a receptionist's page), skipping the form. */
export async function registerPatient(
  page: Page,
  givenNames: string,
  familyName: string,
  ageYears: number,
): Promise<RegisteredPatient> {
  const result = await page.evaluate(
    ([g, f, age]) =>
      window.kavach['patients.register']({
        patient: {
          givenNames: g,
          familyName: f,
          sex: 'female',
          birth: { kind: 'approximate', ageYears: age },
        },
        decision: 'register-new',
        reviewedCandidates: [],
      }),
    [givenNames, familyName, ageYears] as const,
  );
  if (!result.ok || result.value.status !== 'registered') {
    throw new Error(`Registration failed: ${JSON.stringify(result)}`);
  }
  return {
    id: result.value.id,
    patientNumber: result.value.patientNumber,
    name: `${givenNames} ${familyName}`,
  };
}

// --- A second workstation (sync journeys) ---

export interface Workstation extends KavachFixture {
  close(): Promise<void>;
}

/**
 * Another workstation beside the `kavach` fixture: its own core, data directory, keychain
 * service and preview server, as a second computer in the clinic would have.
 */
export async function startWorkstation(name: string): Promise<Workstation> {
  const dataDir = await mkdtemp(join(tmpdir(), `kavach-e2e-${name}-`));
  const clock = createClock();
  const service = `Kavach-e2e-${name}-${Math.random().toString(36).slice(2, 10)}`;
  const core = await openCore({ dataDir, secrets: createKeytarStore(service), clock, log: () => {} });
  const server = await startPreviewServer({ core, rendererDir: 'out/renderer', log: () => {} });
  return {
    origin: server.origin,
    url: server.url,
    newLoginUrl: server.newLoginUrl,
    clock,
    dataDir,
    async close() {
      await server.close();
      await core.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
