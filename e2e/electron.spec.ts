import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
// @ts-expect-error: a plain .mjs helper shared with npm start, without type declarations.
import { electronBinary } from '../scripts/native-abi.mjs';
import { CHANNELS } from '../src-shared/contract.js';

/**
 * The desktop shell itself: the real Electron window, preload and kavach:// protocol. The
 * browser journeys cover the renderer through the preview; this covers what only Electron has.
 */

const ROOT = resolve(import.meta.dirname, '..');
const NO_RUNTIME =
  'Electron runtime not installed (only the npm registry is reachable here); ' +
  'the same renderer is covered through the browser preview';

type PageGlobals = { kavach: Record<string, unknown>; require?: unknown; process?: unknown };

test('the desktop window opens on setup and exposes only the contract', async () => {
  const binary: string | null = electronBinary(ROOT);
  if (binary === null) {
    test.skip(true, NO_RUNTIME);
    return;
  }
  expect(existsSync(join(ROOT, 'out/main/index.js')), 'run `npx electron-vite build` first').toBe(true);
  const userData = await mkdtemp(join(tmpdir(), 'kavach-electron-'));
  const app = await electron.launch({
    executablePath: binary,
    args: [ROOT],
    env: { ...process.env, KAVACH_USER_DATA_DIR: userData },
  });
  try {
    const page = await app.firstWindow();
    expect(page.url()).toBe('kavach://app/index.html');
    await expect(page.getByRole('heading', { name: 'Set up Kavach' })).toBeVisible();

    const exposed = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return {
        channels: Object.keys(g.kavach).sort(),
        allFunctions: Object.values(g.kavach).every((m) => typeof m === 'function'),
        require: typeof g.require,
        process: typeof g.process,
      };
    });
    expect(exposed.channels).toStrictEqual([...CHANNELS].sort());
    expect(exposed.allFunctions).toBe(true);
    expect(exposed.require).toBe('undefined');
    expect(exposed.process).toBe('undefined');

    const status = await page.evaluate(() =>
      (globalThis as unknown as { kavach: Record<string, (p: unknown) => Promise<unknown>> }).kavach[
        'setup.status'
      ]?.({}),
    );
    expect(status).toStrictEqual({ ok: true, value: { needsSetup: true, clinicName: null } });
  } finally {
    await app.close();
    await rm(userData, { recursive: true, force: true });
  }
});
