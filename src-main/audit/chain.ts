import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/**
 * The audit trail's hash chain. Each event's hash covers the previous event's hash and the
 * event's canonical bytes, so editing, deleting or reordering a stored event breaks every
 * link after it and the verifier can name the first one.
 */

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditFields {
  seq: number;
  id: string;
  at: number;
  actorUserId: string | null;
  actorRole: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  outcome: 'ok' | 'denied' | 'failed';
  detail: string;
}

export interface ChainedAudit extends AuditFields {
  prevHash: string;
  hash: string;
}

const encoder = new TextEncoder();

/** A fixed-order array serialisation: no key-order ambiguity, no locale, no whitespace. */
export function canonicalAudit(e: AuditFields): string {
  return JSON.stringify([
    e.seq,
    e.id,
    e.at,
    e.actorUserId,
    e.actorRole,
    e.action,
    e.subjectType,
    e.subjectId,
    e.outcome,
    e.detail,
  ]);
}

export function chainHash(prevHash: string, e: AuditFields): string {
  return bytesToHex(sha256(encoder.encode(`${prevHash}\n${canonicalAudit(e)}`)));
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  firstBroken: { seq: number; reason: string } | null;
}

/** Walks events in sequence order; stops at the first broken link. */
export function verifyChain(events: Iterable<ChainedAudit>): ChainVerification {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (const e of events) {
    const broken = checkLink(e, prevHash, expectedSeq);
    if (broken) return { ok: false, checked, firstBroken: { seq: e.seq, reason: broken } };
    prevHash = e.hash;
    expectedSeq = e.seq + 1;
    checked++;
  }
  return { ok: true, checked, firstBroken: null };
}

function checkLink(e: ChainedAudit, prevHash: string, expectedSeq: number): string | null {
  if (e.seq !== expectedSeq) {
    return `Event ${expectedSeq} is missing: the sequence jumps from ${expectedSeq - 1} to ${e.seq} (deleted or reordered)`;
  }
  if (e.prevHash !== prevHash) {
    return `Event ${e.seq} does not follow the event before it (an earlier event was deleted, replaced or reordered)`;
  }
  if (chainHash(prevHash, e) !== e.hash) {
    return `Event ${e.seq} was altered after it was written (its content no longer matches its hash)`;
  }
  return null;
}
