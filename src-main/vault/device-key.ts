import { randomUUID } from 'node:crypto';
import { asc } from 'drizzle-orm';
import { KeyRing, generateDeviceKey, unwrapCdk, wrapCdk } from '../crypto/keyring.js';
import type { Db } from '../store/db.js';
import type { MetaRepo } from '../store/meta-repo.js';
import { keyRing } from '../store/schema.js';
import { DeviceKeyMissingError, type SecretStore } from './secret-store.js';

const account = (installId: string) => `device-key:${installId}`;

/**
 * First start: a device key goes into the OS keychain and a fresh clinic data key, wrapped
 * under it, into the database. Later starts unwrap. A database that already holds a key
 * ring but whose device key cannot be found is refused: creating a new key there would
 * orphan every encrypted field.
 */
export async function unlockKeyRing(db: Db, metaRepo: MetaRepo, secrets: SecretStore, now: () => number) {
  const rows = db.select().from(keyRing).orderBy(asc(keyRing.version)).all();
  if (rows.length === 0) return createKeyRing(db, metaRepo, secrets, now);

  const installId = metaRepo.get('install_id');
  const stored = installId ? await secrets.get(account(installId)) : null;
  if (!stored) {
    throw new DeviceKeyMissingError(
      `This workstation's database already holds encrypted data, but its device key is not in the keychain (${secrets.name}). Kavach will not create a new key over existing data. Restore the keychain this workstation used, or have an admin restore the clinic key from a recovery kit.`,
    );
  }
  const deviceKey = Buffer.from(stored, 'base64');
  const ring = new KeyRing();
  try {
    for (const row of rows) ring.add(row.version, unwrapCdk(deviceKey, row.version, row.wrappedCdk));
  } finally {
    deviceKey.fill(0);
  }
  return ring;
}

async function createKeyRing(db: Db, metaRepo: MetaRepo, secrets: SecretStore, now: () => number) {
  const installId = metaRepo.get('install_id') ?? randomUUID();
  const deviceKey = generateDeviceKey();
  const { ring, version, cdk } = KeyRing.generate();
  // Keychain first: if it is unavailable we stop before the database says a ring exists.
  await secrets.set(account(installId), Buffer.from(deviceKey).toString('base64'));
  const wrapped = Buffer.from(wrapCdk(deviceKey, version, cdk));
  deviceKey.fill(0);
  db.transaction((tx) => {
    tx.insert(keyRing).values({ version, wrappedCdk: wrapped, createdAt: now(), status: 'active' }).run();
    if (!metaRepo.get('install_id')) metaRepo.set('install_id', installId);
  });
  return ring;
}
