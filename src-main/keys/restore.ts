import { DecryptionError } from '../crypto/envelope.js';
import { KeyRing } from '../crypto/keyring.js';
import { AuditRepo } from '../store/audit-repo.js';
import { openStore } from '../store/db.js';
import { MetaRepo } from '../store/meta-repo.js';
import { keyRing, users } from '../store/schema.js';
import { SecurityRepo } from '../store/security-repo.js';
import { adoptKeyRing, syncTokenAccount } from '../vault/device-key.js';
import type { SecretStore } from '../vault/secret-store.js';
import { type KitKey, openKit, RecoveryKitError } from './recovery-kit.js';

export { RecoveryKitError } from './recovery-kit.js';

const ACTION = 'keys.restoreRecoveryKit';

/**
 * A workstation whose keychain lost its device key (openCore throws DeviceKeyMissingError)
 * gets its clinic data keys back from a recovery kit: the kit is opened with the passphrase,
 * checked against this database (it must hold every key version the database uses, and open
 * a stored value), and the ring is wrapped under a new device key in this keychain. Called
 * before openCore, by the ops CLI or a recovery screen; the core is not running.
 *
 * A wrong passphrase, a file that is not a kit, or another clinic's kit is refused with a
 * RecoveryKitError whose message can be shown as it is; the refusal is written to the audit
 * trail and, for a wrong passphrase, as a security event. Nothing else changes.
 */
export async function restoreRecoveryKit(
  dataDir: string,
  kit: Uint8Array,
  passphrase: string,
  secrets: SecretStore,
  now: () => number = Date.now,
): Promise<{ versions: number[] }> {
  const store = openStore(dataDir, now);
  const audit = new AuditRepo(store.db, now);
  const refuse = (e: RecoveryKitError): never => {
    store.db.transaction(() => {
      audit.append({
        actorUserId: null,
        actorRole: null,
        action: ACTION,
        outcome: 'failed',
        detail: { reason: e.reason },
      });
      if (e.reason === 'wrong-passphrase') {
        new SecurityRepo(store.db, now).record({
          kind: 'decryption-failed',
          detail: { what: 'recovery-kit', reason: e.reason },
        });
      }
    });
    throw e;
  };
  try {
    let keys: KitKey[];
    try {
      keys = await openKit(kit, passphrase);
    } catch (e) {
      if (e instanceof RecoveryKitError) return refuse(e);
      throw e;
    }
    try {
      const used = store.db
        .select({ version: keyRing.version })
        .from(keyRing)
        .all()
        .map((r) => r.version);
      const missing = used.filter((v) => !keys.some((k) => k.version === v));
      if (used.length > 0 && missing.length === used.length) {
        refuse(
          new RecoveryKitError(
            'not-this-clinic',
            "This recovery kit does not hold this clinic's keys. Nothing was changed.",
          ),
        );
      }
      if (missing.length > 0) {
        refuse(
          new RecoveryKitError(
            'outdated',
            `This recovery kit predates a key rotation (it lacks key version ${missing.join(', ')}). Use the kit exported after the last rotation. Nothing was changed.`,
          ),
        );
      }
      const chosen = used.length > 0 ? keys.filter((k) => used.includes(k.version)) : keys;
      if (!opensStoredValue(store.db, chosen)) {
        refuse(
          new RecoveryKitError(
            'not-this-clinic',
            "This recovery kit does not open this clinic's data. Nothing was changed.",
          ),
        );
      }
      const meta = new MetaRepo(store.db);
      const oldInstall = meta.get('install_id');
      // A sync device token still in the keychain moves to the new install id with the key.
      const token = oldInstall ? await secrets.get(syncTokenAccount(oldInstall)) : null;
      const ring = await adoptKeyRing(
        store.db,
        meta,
        secrets,
        now,
        chosen,
        () => {
          audit.append({
            actorUserId: null,
            actorRole: null,
            action: ACTION,
            outcome: 'ok',
            detail: { versions: chosen.map((k) => String(k.version)) },
          });
        },
        (installId) => (token ? [[syncTokenAccount(installId), token]] : []),
      );
      ring.wipe();
      return { versions: chosen.map((k) => k.version) };
    } finally {
      for (const k of keys) k.cdk.fill(0);
    }
  } finally {
    store.sqlite.close();
  }
}

/** A staff member's stored name opens under the kit's keys (any clinic has its admin). */
function opensStoredValue(db: ReturnType<typeof openStore>['db'], keys: readonly KitKey[]): boolean {
  const row = db.select({ id: users.id, displayName: users.displayName }).from(users).limit(1).get();
  if (!row) return true;
  const ring = new KeyRing();
  try {
    for (const k of keys) ring.add(k.version, k.cdk.slice());
    ring.openField({ table: 'users', column: 'display_name', rowId: row.id }, row.displayName).fill(0);
    return true;
  } catch (e) {
    if (e instanceof DecryptionError) return false;
    throw e;
  } finally {
    ring.wipe();
  }
}
