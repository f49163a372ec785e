import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { generateDeviceKey, KeyRing, unwrapCdk, wrapCdk } from '../crypto/keyring.js';
import { INDEX_VERSION_KEY } from '../keys/keys-repo.js';
import type { Db } from '../store/db.js';
import type { MetaRepo } from '../store/meta-repo.js';
import { keyRing, meta } from '../store/schema.js';
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
      `This workstation's database already holds encrypted data, but its device key is not in the keychain (${secrets.name}). Kavach will not create a new key over existing data. Restore the keychain this workstation used, or have an admin restore the clinic key from a recovery kit (npm run -s kavach -- restore-recovery-kit --from FILE).`,
    );
  }
  const deviceKey = Buffer.from(stored, 'base64');
  const ring = new KeyRing();
  try {
    for (const row of rows) ring.add(row.version, unwrapCdk(deviceKey, row.version, row.wrappedCdk));
  } finally {
    deviceKey.fill(0);
  }
  pinIndexVersion(db, ring);
  return ring;
}

/** A rotation that has not rebuilt the blind index yet keeps searching with the old key. */
function pinIndexVersion(db: Db, ring: KeyRing): void {
  const pinned = db.select().from(meta).where(eq(meta.key, INDEX_VERSION_KEY)).get()?.value;
  const version = pinned === undefined ? null : Number(pinned);
  if (version !== null && ring.versionList.includes(version)) ring.pinIndexVersion(version);
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

/**
 * Every version of the clinic data key, unwrapped from the database with the device key:
 * what an enrollment code carries to a new workstation. The caller wipes the returned keys.
 */
export async function readRingKeys(
  db: Db,
  metaRepo: MetaRepo,
  secrets: SecretStore,
): Promise<{ version: number; cdk: Uint8Array }[]> {
  const installId = metaRepo.get('install_id');
  const stored = installId ? await secrets.get(account(installId)) : null;
  if (!stored)
    throw new DeviceKeyMissingError(
      `This workstation's device key is not in the keychain (${secrets.name}).`,
    );
  const deviceKey = Buffer.from(stored, 'base64');
  try {
    return db
      .select()
      .from(keyRing)
      .orderBy(asc(keyRing.version))
      .all()
      .map((row) => ({ version: row.version, cdk: unwrapCdk(deviceKey, row.version, row.wrappedCdk) }));
  } finally {
    deviceKey.fill(0);
  }
}

/**
 * Joining a clinic: replaces this (still empty) workstation's own key ring with the clinic's,
 * wrapped under a new device key kept in the keychain under a new install id. The keychain
 * entry is written first and the database switches to it in one transaction (together with
 * `alsoInTransaction`), so a crash in between leaves the old ring and key usable. The old
 * keychain entry is removed afterwards. Returns the ring now in force.
 */
export async function adoptKeyRing(
  db: Db,
  metaRepo: MetaRepo,
  secrets: SecretStore,
  now: () => number,
  keys: readonly { version: number; cdk: Uint8Array }[],
  alsoInTransaction: () => void,
  /** Further keychain entries for the new install id (the sync device token). */
  extraSecrets: (installId: string) => [string, string][] = () => [],
): Promise<KeyRing> {
  const oldInstallId = metaRepo.get('install_id');
  const installId = randomUUID();
  const deviceKey = generateDeviceKey();
  const extras = extraSecrets(installId);
  for (const [name, value] of extras) await secrets.set(name, value);
  await secrets.set(account(installId), Buffer.from(deviceKey).toString('base64'));
  const ring = new KeyRing();
  const newest = Math.max(...keys.map((k) => k.version));
  const rows = keys.map((k) => {
    ring.add(k.version, k.cdk.slice());
    return {
      version: k.version,
      wrappedCdk: Buffer.from(wrapCdk(deviceKey, k.version, k.cdk)),
      createdAt: now(),
      status: k.version === newest ? ('active' as const) : ('retired' as const),
    };
  });
  deviceKey.fill(0);
  try {
    db.transaction((tx) => {
      tx.delete(keyRing).run();
      for (const row of rows) tx.insert(keyRing).values(row).run();
      metaRepo.set('install_id', installId);
      alsoInTransaction();
    });
  } catch (e) {
    await secrets.delete(account(installId)).catch(() => false);
    for (const [name] of extras) await secrets.delete(name).catch(() => false);
    ring.wipe();
    throw e;
  }
  if (oldInstallId) {
    await secrets.delete(account(oldInstallId)).catch(() => false);
    await secrets.delete(syncTokenAccount(oldInstallId)).catch(() => false);
  }
  return ring;
}

/** Keychain account for the sync server's device token of this installation. */
export function syncTokenAccount(installId: string): string {
  return `sync-token:${installId}`;
}

/**
 * Rotation: stores the next clinic data key version wrapped under this workstation's device
 * key as the active row (with `alsoInTransaction`), then adds it to the live ring, which makes
 * it the version new writes use. Nothing is sealed under it before it is safely stored.
 */
export async function storeNextVersion(
  db: Db,
  metaRepo: MetaRepo,
  secrets: SecretStore,
  ring: KeyRing,
  now: () => number,
  /** Runs before the new version is in the live ring: whatever it seals uses the old one. */
  alsoInTransaction: (version: number, cdk: Uint8Array) => void,
): Promise<number> {
  const installId = metaRepo.get('install_id');
  const stored = installId ? await secrets.get(account(installId)) : null;
  if (!stored)
    throw new DeviceKeyMissingError(
      `This workstation's device key is not in the keychain (${secrets.name}).`,
    );
  const deviceKey = Buffer.from(stored, 'base64');
  // From here on no await: the version number cannot be taken by a second call meanwhile.
  const { version, cdk } = ring.nextVersion();
  try {
    const wrapped = Buffer.from(wrapCdk(deviceKey, version, cdk));
    db.transaction((tx) => {
      tx.update(keyRing).set({ status: 'retired' }).run();
      tx.insert(keyRing).values({ version, wrappedCdk: wrapped, createdAt: now(), status: 'active' }).run();
      alsoInTransaction(version, cdk);
    });
  } catch (e) {
    cdk.fill(0);
    throw e;
  } finally {
    deviceKey.fill(0);
  }
  ring.add(version, cdk);
  return version;
}

/**
 * A version another workstation made, received wrapped under a version held here (keys/
 * distribution.ts): stored wrapped under this workstation's device key, then added to the live
 * ring. The newest version stored becomes the active one, as after a rotation made here.
 * Returns false when the version is already held (nothing changes).
 */
export async function storeReceivedVersion(
  db: Db,
  metaRepo: MetaRepo,
  secrets: SecretStore,
  ring: KeyRing,
  now: () => number,
  received: { version: number; cdk: Uint8Array },
  alsoInTransaction: () => void,
): Promise<boolean> {
  const installId = metaRepo.get('install_id');
  const stored = installId ? await secrets.get(account(installId)) : null;
  if (!stored)
    throw new DeviceKeyMissingError(
      `This workstation's device key is not in the keychain (${secrets.name}).`,
    );
  const deviceKey = Buffer.from(stored, 'base64');
  if (ring.has(received.version)) {
    deviceKey.fill(0);
    return false;
  }
  const newest = received.version > Math.max(0, ...ring.versionList);
  try {
    const wrapped = Buffer.from(wrapCdk(deviceKey, received.version, received.cdk));
    db.transaction((tx) => {
      if (newest) tx.update(keyRing).set({ status: 'retired' }).run();
      tx.insert(keyRing)
        .values({
          version: received.version,
          wrappedCdk: wrapped,
          createdAt: now(),
          status: newest ? 'active' : 'retired',
        })
        .run();
      alsoInTransaction();
    });
  } finally {
    deviceKey.fill(0);
  }
  ring.add(received.version, received.cdk);
  return true;
}
