import { randomBytes } from '@noble/ciphers/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  associatedData,
  DecryptionError,
  decodeText,
  encodeText,
  type FieldPlace,
  openBytes,
  verifyBytes,
  sealBytes,
} from './envelope.js';

/**
 * The clinic data key (CDK) ring: every version ever created, the newest active for new
 * writes. Sub-keys are derived by HKDF-SHA256 so that the field key, the blind-index key and
 * the attachment key never coincide even though one secret backs them.
 */

export type SubKeyPurpose = 'field' | 'blind-index' | 'attachment' | 'key-wrap';

const encoder = new TextEncoder();

function subKey(cdk: Uint8Array, purpose: SubKeyPurpose): Uint8Array {
  return hkdf(sha256, cdk, encoder.encode('kavach/cdk-salt/v1'), encoder.encode(`kavach/${purpose}/v1`), 32);
}

interface KeyVersion {
  version: number;
  cdk: Uint8Array;
  field: Uint8Array;
  blindIndex: Uint8Array;
  attachment: Uint8Array;
  /** Wraps the next version's key for the clinic's other workstations (keys/README.md). */
  keyWrap: Uint8Array;
}

export class KeyRing {
  private readonly versions = new Map<number, KeyVersion>();
  private active = 0;
  /** The version whose blind-index key the index is built with, when pinned (rotation). */
  private indexVersion: number | null = null;

  static generate(): { ring: KeyRing; version: number; cdk: Uint8Array } {
    const ring = new KeyRing();
    const cdk = randomBytes(32);
    ring.add(1, cdk);
    return { ring, version: 1, cdk };
  }

  add(version: number, cdk: Uint8Array): void {
    if (cdk.length !== 32) throw new Error('Clinic data key must be 32 bytes');
    this.versions.set(version, {
      version,
      cdk,
      field: subKey(cdk, 'field'),
      blindIndex: subKey(cdk, 'blind-index'),
      attachment: subKey(cdk, 'attachment'),
      keyWrap: subKey(cdk, 'key-wrap'),
    });
    if (version > this.active) this.active = version;
  }

  get activeVersion(): number {
    if (this.active === 0) throw new Error('Key ring is empty');
    return this.active;
  }

  get versionList(): number[] {
    return [...this.versions.keys()].sort((a, b) => a - b);
  }

  /** Blind index uses one version's key for the whole index; rotation rebuilds it. */
  blindIndexKey(version = this.indexVersion ?? this.activeVersion): Uint8Array {
    const v = this.versions.get(version);
    if (!v) throw new Error('Unknown key version');
    return v.blindIndex;
  }

  /** The attachment sub-key of one version (attachment files name their version). */
  attachmentKey(version = this.activeVersion): Uint8Array | undefined {
    return this.versions.get(version)?.attachment;
  }

  /** Copies of every version's field sub-key (for the sync envelope-check thread; the
   *  caller wipes them). Never the clinic data keys themselves. */
  fieldKeyCopies(): [number, Uint8Array][] {
    return [...this.versions.values()].map((v) => [v.version, v.field.slice()]);
  }

  sealField(place: FieldPlace, plaintext: Uint8Array, version = this.activeVersion): Uint8Array {
    const v = this.versions.get(version);
    if (!v) throw new Error('Unknown key version');
    return sealBytes(v.field, version, plaintext, associatedData(place));
  }

  openField(place: FieldPlace, envelope: Uint8Array): Uint8Array {
    return openBytes((ver) => this.versions.get(ver)?.field, envelope, associatedData(place), place);
  }

  /** Checks that an envelope is authentic for its place, without decrypting it. */
  verifyField(place: FieldPlace, envelope: Uint8Array): void {
    verifyBytes((ver) => this.versions.get(ver)?.field, envelope, associatedData(place), place);
  }

  sealText(place: FieldPlace, value: string): Uint8Array {
    return this.sealField(place, encodeText(value));
  }

  openText(place: FieldPlace, envelope: Uint8Array): string {
    return decodeText(this.openField(place, envelope), place);
  }

  /**
   * Rotation: a fresh random CDK under the next version number. Not in the ring yet: the
   * caller stores it (wrapped) first and then add()s it, which makes it active for new writes.
   */
  nextVersion(): { version: number; cdk: Uint8Array } {
    const version = Math.max(0, ...this.versions.keys()) + 1;
    if (version > 0xffff) throw new Error('Key version space exhausted');
    return { version, cdk: randomBytes(32) };
  }

  has(version: number): boolean {
    return this.versions.has(version);
  }

  /**
   * A new version's key sealed under the key-wrap sub-key of version `under` (which must be
   * here), bound to the clinic and both version numbers: what a rotation sends the clinic's
   * other workstations. The returned bytes name `under` in their header.
   */
  wrapNext(under: number, clinicId: string, next: { version: number; cdk: Uint8Array }): Uint8Array {
    const v = this.versions.get(under);
    if (!v) throw new Error('Unknown key version');
    return sealBytes(v.keyWrap, under, next.cdk, keyWrapAad(clinicId, under, next.version));
  }

  /** The key of version `next`, opened from a wrap under version `under` (DecryptionError if not). */
  unwrapNext(under: number, clinicId: string, next: number, wrapped: Uint8Array): Uint8Array {
    const place: FieldPlace = { table: 'key_wraps', column: 'wrapped_key', rowId: `v${next}` };
    const cdk = openBytes(
      (ver) => (ver === under ? this.versions.get(under)?.keyWrap : undefined),
      wrapped,
      keyWrapAad(clinicId, under, next),
      place,
    );
    if (cdk.length !== 32) throw new DecryptionError('malformed', place);
    return cdk;
  }

  /** Whether version `version` holds exactly this key (a received wrap for a version held here). */
  sameKey(version: number, cdk: Uint8Array): boolean {
    const v = this.versions.get(version);
    if (!v || v.cdk.length !== cdk.length) return false;
    let diff = 0;
    for (let i = 0; i < cdk.length; i++) diff |= v.cdk[i]! ^ cdk[i]!;
    return diff === 0;
  }

  /** Keeps the blind index on one version's key while a rotation rebuilds it (null: the active one). */
  pinIndexVersion(version: number | null): void {
    if (version !== null && !this.versions.has(version)) throw new Error('Unknown key version');
    this.indexVersion = version;
  }

  get pinnedIndexVersion(): number | null {
    return this.indexVersion;
  }

  /** Removes an old version once nothing uses it; its keys are wiped from memory. */
  retire(version: number): void {
    if (version === this.active) throw new Error('The active key version cannot be retired');
    if (version === this.indexVersion) throw new Error('The blind index still uses this key version');
    const v = this.versions.get(version);
    if (!v) return;
    for (const k of [v.cdk, v.field, v.blindIndex, v.attachment, v.keyWrap]) k.fill(0);
    this.versions.delete(version);
  }

  /** Drops every secret this ring holds from memory (best effort in a GC'd runtime). */
  wipe(): void {
    for (const v of this.versions.values()) {
      v.cdk.fill(0);
      v.field.fill(0);
      v.blindIndex.fill(0);
      v.attachment.fill(0);
      v.keyWrap.fill(0);
    }
    this.versions.clear();
    this.active = 0;
    this.indexVersion = null;
  }
}

/** A CDK wrapped under the device key: same envelope layout, version slot = CDK version. */
export function wrapCdk(deviceKey: Uint8Array, version: number, cdk: Uint8Array): Uint8Array {
  return sealBytes(deviceKey, version, cdk, wrapAad(version));
}

export function unwrapCdk(deviceKey: Uint8Array, version: number, wrapped: Uint8Array): Uint8Array {
  try {
    return openBytes(() => deviceKey, wrapped, wrapAad(version), null);
  } catch (e) {
    if (e instanceof DecryptionError) throw new DecryptionError(e.reason, keyRingPlace(version));
    throw e;
  }
}

function keyWrapAad(clinicId: string, under: number, next: number): Uint8Array {
  return encoder.encode(`kavach/v1|key_wraps|${clinicId}|${under}|${next}`);
}

function keyRingPlace(version: number): FieldPlace {
  return { table: 'key_ring', column: 'wrapped_cdk', rowId: String(version) };
}

function wrapAad(version: number): Uint8Array {
  return associatedData(keyRingPlace(version));
}

export function generateDeviceKey(): Uint8Array {
  return randomBytes(32);
}
