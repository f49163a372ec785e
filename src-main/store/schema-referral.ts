import { blob, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Referrals between clinics (issue 8). The clinic's own long-term key pairs, the cards of
 * other clinics, and the packages received. keys/catalog.ts walks schema.ts only: the one
 * envelope here (clinic_identity.keys) is not re-sealed by a key rotation, it stays readable
 * under the version that sealed it while the ring keeps that version.
 */

/** The clinic's own X25519 and Ed25519 key pairs; one row with id 'clinic'. Synced, so
 *  every workstation of the clinic can receive and send. */
export const clinicIdentity = sqliteTable('clinic_identity', {
  // plaintext: constant row id.
  id: text('id').primaryKey(),
  // envelope: JSON { encryption, signing } secret keys (base64), sealed under the clinic data
  // key. One column, so last-writer-wins can never pair one workstation's encryption key with
  // another's signing key.
  keys: blob('keys', { mode: 'buffer' }).notNull(),
  // plaintext: timestamps.
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Other clinics' cards. Synced; the row id is the card's fingerprint, so two workstations
 *  importing the same card write the same row. */
export const clinicCards = sqliteTable('clinic_cards', {
  // plaintext: the fingerprint, hex SHA-256 of the two public keys; a clinic's, not a person's.
  id: text('id').primaryKey(),
  // plaintext: the other clinic's public name, as printed on its documents.
  name: text('name').notNull(),
  // plaintext: public keys (base64); public by design.
  encryptionPublic: text('encryption_public').notNull(),
  signingPublic: text('signing_public').notNull(),
  // plaintext: staff user ids and timestamps; confirmed_* NULL until an admin compared the
  // fingerprint words with the other clinic. An unconfirmed card cannot be used.
  importedBy: text('imported_by').notNull(),
  importedAt: integer('imported_at').notNull(),
  confirmedBy: text('confirmed_by'),
  confirmedAt: integer('confirmed_at'),
  updatedAt: integer('updated_at').notNull(),
});

/** Referral packages received on this workstation (mailbox or file). Never synced: the
 *  package stays in the server's mailbox until accepted, so each workstation fetches it. */
export const referralInbox = sqliteTable(
  'referral_inbox',
  {
    // plaintext: the package's random id (from its header).
    id: text('id').primaryKey(),
    // plaintext: the sending clinic's card fingerprint.
    fromFingerprint: text('from_fingerprint').notNull(),
    // plaintext: the package as received, base64: already AES-256-GCM ciphertext to this
    // clinic's X25519 key; opened only after its signature is checked. Text, not BLOB, because
    // it is not a field envelope under the clinic data key.
    package: text('package').notNull(),
    // plaintext: where it came from, the mailbox message id, lifecycle and timestamps.
    source: text('source', { enum: ['mailbox', 'file'] }).notNull(),
    mailboxId: text('mailbox_id'),
    status: text('status', { enum: ['new', 'accepted'] }).notNull(),
    sentAt: integer('sent_at').notNull(),
    receivedAt: integer('received_at').notNull(),
    // plaintext: ids of the patient registered or matched and the user who accepted.
    patientId: text('patient_id'),
    acceptedBy: text('accepted_by'),
    acceptedAt: integer('accepted_at'),
  },
  (t) => [index('referral_inbox_received').on(t.receivedAt)],
);
