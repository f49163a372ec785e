import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN, call, type HarnessCore, loginAs, must, startCore } from '../testing/core-harness.js';
import { createKeytarStore } from '../vault/keytar-store.js';
import type { RotationState } from './rotation.js';
import { census, seedClinic } from './testing.js';

/**
 * kill -9 half-way through a rotation: the child process re-encrypting the database is
 * killed with SIGKILL after some committed batches; the database is intact, mixed old and
 * new envelopes all open, and after a restart the job resumes, finishes and retires the old
 * version with every value as it was: nothing lost, nothing sealed twice.
 */
const SERVICE = 'Kavach-test';
let h: HarnessCore;

afterAll(async () => {
  await h?.close();
});

function runChild(killAtStep: number): Promise<{ outcome: 'killed' | 'finished'; steps: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src-main/keys/kill-child.ts', h.dataDir, SERVICE],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let steps = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString().matchAll(/step (\d+)/g)) steps = Number(m[1]);
      if (steps >= killAtStep) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ outcome: 'killed', steps });
      else if (code === 0) resolve({ outcome: 'finished', steps });
      else reject(new Error(`child exited with ${code}`));
    });
  });
}

describe('a rotation killed half-way', () => {
  it('resumes after a restart and finishes with everything decrypting', async () => {
    h = await startCore();
    await seedClinic(h.core, 20, 1);
    const secrets = createKeytarStore(SERVICE);
    const before = await census(h.dataDir, secrets);
    await h.core.close();

    const run = await runChild(40);
    expect(run.outcome).toBe('killed');
    const db = new Database(join(h.dataDir, 'kavach.db'), { readonly: true });
    const state = JSON.parse(
      (db.prepare("SELECT value FROM meta WHERE key = 'key_rotation'").get() as { value: string }).value,
    ) as RotationState;
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    // Half-way: some tables walked, others not yet.
    expect(state.phase).toBe('fields');
    expect(state.targets.some((t) => t.complete)).toBe(true);
    expect(state.targets.some((t) => !t.complete)).toBe(true);
    const mid = await census(h.dataDir, secrets);
    expect([...mid.versions.keys()].sort()).toEqual([1, 2]);
    expect(mid.unreadable).toBe(0);

    // Restart: the core resumes the job in the background.
    await h.reopen();
    const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    let status = must(await call(admin, 'keys.status', {}));
    for (let i = 0; i < 500 && status.rotation?.phase !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 10));
      status = must(await call(admin, 'keys.status', {}));
    }
    expect(status.rotation).toMatchObject({ phase: 'done', unreadable: 0 });
    expect(status.versions.map((v) => v.version)).toEqual([2]);
    await h.core.close();

    const after = await census(h.dataDir, secrets);
    expect([...after.versions.keys()]).toEqual([2]);
    expect(after.unreadable).toBe(0);
    expect(after.values.size).toBe(before.values.size);
    for (const [place, digest] of before.values) expect(after.values.get(place), place).toBe(digest);
    process.stdout.write(
      `rotation kill: killed after step ${run.steps} of a batch size of 5; ${before.values.size} values and files intact\n`,
    );
  }, 60_000);
});
