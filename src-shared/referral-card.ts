import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/**
 * A clinic card's fingerprint: SHA-256 over the canonical form of its two public keys, as 64
 * hex characters. Shared by the workstation (cards, packages) and the sync server (which
 * checks that a clinic claiming a mailbox address holds the keys behind it).
 */
const CARD_DOMAIN = 'kavach/clinic-card/v1';

export function cardFingerprint(encryptionPublic: Uint8Array, signingPublic: Uint8Array): string {
  if (encryptionPublic.length !== 32 || signingPublic.length !== 32)
    throw new Error('Public keys must be 32 bytes');
  const canonical = `${CARD_DOMAIN}|x25519:${bytesToHex(encryptionPublic)}|ed25519:${bytesToHex(signingPublic)}`;
  return bytesToHex(sha256(new TextEncoder().encode(canonical)));
}

export const FINGERPRINT_PATTERN = /^[0-9a-f]{64}$/;

/** What a mailbox address claim signs: the claiming clinic's id on that server. */
export function mailboxClaimMessage(clinicId: string): Uint8Array {
  return new TextEncoder().encode(`kavach/mailbox-address/v1|${clinicId}`);
}
