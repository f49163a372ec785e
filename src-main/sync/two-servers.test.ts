import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, enroll, pullAll, testDatabaseUrl } from '../../src-server/testing/harness.js';
import type { Connection } from '../core-types.js';
import { call, loginAs, must } from '../testing/core-harness.js';
import { addDesk, DESK, edit, PEOPLE, register } from './fixtures.js';
import { type Station, settle, station } from './testing.js';

/**
 * Scale-out as an operator runs it: two `src-server/main.ts` processes on the same
 * PostgreSQL (the test cluster). Workstation A is attached to server 1; B joins with a code
 * A made through server 1 but is configured with server 2's URL. They edit the same
 * patients and converge through the shared database. A device of another clinic, on
 * either server, gets none of this clinic's changes or devices; an unknown token is 401.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const started: ChildProcess[] = [];
let env: Record<string, string>;
let urls: [string, string];
let a: Station;
let b: Station;
let deskA: Connection;
let deskB: Connection;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-server/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    const out = { stdout: '', stderr: '' };
    child.stdout.on('data', (d) => (out.stdout += d));
    child.stderr.on('data', (d) => (out.stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ ...out, code }));
  });
}

async function createClinic(name: string): Promise<string> {
  const made = await cli(['create-clinic', '--name', name]);
  expect(made.code, made.stderr).toBe(0);
  const code = /^ {4}([0-9A-Z]{4}(?:-[0-9A-Z]{4}){7})$/m.exec(made.stdout)?.[1];
  expect(code, made.stdout).toBeDefined();
  return code!;
}

function serve(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-server/main.ts', '--port', '0'], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    started.push(child);
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d) => {
      stderr += d;
      const url = /Kavach sync server on (https?:\/\/\S+)/.exec(stderr)?.[1];
      if (url) resolve(url);
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
  });
}

beforeAll(async () => {
  env = { DATABASE_URL: testDatabaseUrl() };
  const foundingCode = await createClinic('Sushrut Clinic');
  urls = [await serve(), await serve()];
  a = await station('two-a', { setup: true });
  must(
    await call(await a.admin(), 'sync.connect', {
      serverUrl: urls[0],
      code: foundingCode,
      deviceName: 'two-a',
    }),
  );
  await addDesk(await a.admin());
  await a.sync.syncNow();
  const { code } = must(await call(await a.admin(), 'sync.createEnrollment', {}));
  b = await station('two-b');
  must(await call(b.core.connect(), 'setup.joinClinic', { serverUrl: urls[1], code, deviceName: 'two-b' }));
  expect((await b.sync.syncNow()).state).toBe('online');
  deskA = await loginAs(a.core, DESK.username, DESK.password);
  deskB = await loginAs(b.core, DESK.username, DESK.password);
}, 60_000);

afterAll(async () => {
  await b?.close();
  await a?.close();
  await Promise.all(
    started.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.removeAllListeners('exit');
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
});

const record = async (desk: Connection, id: string) => {
  const { updatedAt, ...rest } = must(await call(desk, 'patients.get', { id }));
  void updatedAt;
  return rest;
};

describe('two server processes on one PostgreSQL', () => {
  it('workstations attached to different servers converge', async () => {
    expect(a.sync.status().serverUrl).toBe(urls[0]);
    expect(b.sync.status().serverUrl).toBe(urls[1]);
    const fromA = await register(deskA, PEOPLE[0]!);
    const fromB = await register(deskB, PEOPLE[1]!);
    await settle([a, b]);
    // Each edits the other's patient, and both edit the same field of one patient.
    a.clock.advance(2_000);
    b.clock.advance(2_000);
    await edit(deskA, fromB, { allergies: ['Penicillin'] });
    await edit(deskB, fromA, { phones: [{ number: '9847011111', label: 'mobile' }] });
    await edit(deskA, fromA, { preferredLanguage: 'Malayalam' });
    b.clock.advance(5_000); // B's edit of the same field is the later one
    await edit(deskB, fromA, { preferredLanguage: 'Tamil' });
    await settle([a, b]);
    for (const id of [fromA, fromB]) expect(await record(deskB, id)).toEqual(await record(deskA, id));
    const ravi = await record(deskA, fromA);
    expect(ravi.phones).toEqual([{ number: '9847011111', label: 'mobile' }]);
    expect(ravi.preferredLanguage).toBe('Tamil');
    expect((await record(deskB, fromB)).allergies).toEqual(['Penicillin']);
    expect(a.sync.cursor).toBe(b.sync.cursor);
    expect(a.sync.cursor).toBeGreaterThan(0);
  });

  it('a device of another clinic gets none of this clinic on either server; an unknown token is 401 on both', async () => {
    const otherCode = await createClinic('Other Clinic');
    const joined = await enroll(urls[1], otherCode, 'Other desk');
    expect(joined.status).toBe(200);
    const token = joined.body.deviceToken;
    // B's token works on server 1 too: both serve the one log.
    const ourIds = new Set<string>();
    for (let after = 0; ; ) {
      const page = await b.sync.client(urls[0]).pull(after, 0);
      for (const c of page.changes) ourIds.add(c.changeId);
      after = page.next;
      if (!page.more) break;
    }
    expect(ourIds.size).toBe(b.sync.cursor);
    const ourDevices = must(await call(await a.admin(), 'sync.devices', {})).map((d) => d.id);
    expect(ourDevices).toHaveLength(2);
    for (const url of urls) {
      const other = new Client(url, token);
      const pulled = await pullAll(other);
      expect(pulled.changes.filter((c) => ourIds.has(c.changeId))).toEqual([]);
      expect(pulled.latest).toBe(0);
      const devices = await other.call('GET', '/v1/devices');
      expect(devices.body.devices.map((d: { id: string }) => d.id)).toEqual([joined.body.deviceId]);
      for (const id of ourDevices)
        expect((await other.call('POST', `/v1/devices/${id}/revoke`)).status).toBe(404);
      // A token the server never issued (one character changed) is refused outright.
      const forged = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
      const refused = await new Client(url, forged).pull(0);
      expect(refused.status).toBe(401);
      expect(JSON.stringify(refused.body)).not.toContain('changes');
    }
    // Our workstations still sync through both servers after all that.
    expect((await a.sync.syncNow()).state).toBe('online');
    expect((await b.sync.syncNow()).state).toBe('online');
  });
});
