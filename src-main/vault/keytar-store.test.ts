import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeytarStore } from './keytar-store.js';
import { KeychainUnavailableError } from './secret-store.js';

// Runs against the real keytar and gnome-keyring in the private D-Bus session that
// scripts/test.mjs starts; there is no stand-in here.
describe('keytar SecretStore (real keychain)', () => {
  it('stores, reads back and deletes a secret', async () => {
    const store = createKeytarStore('Kavach-test');
    const account = `test-${randomUUID()}`;
    expect(await store.get(account)).toBeNull();
    await store.set(account, 'c2VjcmV0LXZhbHVl');
    expect(await store.get(account)).toBe('c2VjcmV0LXZhbHVl');
    expect(await store.delete(account)).toBe(true);
    expect(await store.get(account)).toBeNull();
  });

  it('reports an unreachable keychain as KeychainUnavailableError', async () => {
    // libsecret reads the bus address when it first connects, so probe in a child process.
    const { spawnSync } = await import('node:child_process');
    const script = `
      import { createKeytarStore } from './src-main/vault/keytar-store.ts';
      try { await createKeytarStore('Kavach-test').get('x'); console.log('reached'); }
      catch (e) { console.log(e.name + ':' + e.code); }`;
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/kavach-bus', DISPLAY: '' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(out.stdout.trim()).toBe(`${KeychainUnavailableError.name}:KEYCHAIN_UNAVAILABLE`);
  });
});
