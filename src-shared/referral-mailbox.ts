import { z } from 'zod';

/**
 * The sync server's referral mailbox (issue 8), as both sides see it. A package is opaque to
 * the server: ciphertext encrypted to the receiving clinic's card, signed by the sender.
 */
export const MAILBOX_ROUTES = {
  /** POST: claim this clinic's address (its card fingerprint), proven by a signature. */
  address: '/v1/mailbox/address',
  /** POST: leave a package for the clinic at `to`; GET: list this clinic's waiting packages. */
  messages: '/v1/mailbox',
  /** GET: one package of this clinic. */
  message: (id: string) => `/v1/mailbox/${encodeURIComponent(id)}`,
  /** POST: this clinic has the package; the server forgets it. */
  ack: (id: string) => `/v1/mailbox/${encodeURIComponent(id)}/ack`,
} as const;

export const MAILBOX_LIMITS = {
  /** Largest package, as bytes (the workstation refuses to seal a bigger one). */
  packageBytes: 25 * 1024 * 1024,
  /** The JSON body carrying the package as base64, with room for the rest. */
  bodyBytes: Math.ceil((25 * 1024 * 1024 * 4) / 3) + 64 * 1024,
  /** Mailbox requests per device per minute. */
  perMinute: 60,
  /** Waiting packages listed per answer. */
  listPage: 100,
} as const;

const base64 = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'Expected base64' });
const fingerprint = z.string().regex(/^[0-9a-f]{64}$/, { error: 'Expected a card fingerprint (64 hex)' });

export const mailboxClaim = z.strictObject({
  encryptionPublic: base64(64),
  signingPublic: base64(64),
  signature: base64(128),
});
export type MailboxClaim = z.infer<typeof mailboxClaim>;

export const mailboxPost = z.strictObject({
  to: fingerprint,
  package: base64(MAILBOX_LIMITS.bodyBytes),
});
export type MailboxPost = z.infer<typeof mailboxPost>;

export interface MailboxListed {
  id: string;
  bytes: number;
  receivedAt: number;
}

export interface MailboxFetched {
  id: string;
  package: string;
}
