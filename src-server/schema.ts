import { sql } from 'drizzle-orm';
import {
  bigint,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * The sync server's store (DESIGN.md §5). The server is trusted for ordering and
 * availability only: it keeps routing metadata in plaintext and every field value as the
 * opaque envelope the workstation sent. Nothing here can decrypt anything.
 */

// drizzle's pg-core has no bytea column. pg hands back a Buffer and PGlite a Uint8Array;
// both are Uint8Array, which is all the callers rely on.
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const clinics = pgTable('clinics', {
  id: uuid('id').primaryKey(),
  // plaintext: the clinic's public name, printed on its documents; chosen by the operator.
  name: text('name').notNull(),
  // The clinic's last assigned change sequence. Its row lock orders concurrent pushes.
  seq: bigint('seq', { mode: 'number' }).notNull().default(0),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const devices = pgTable(
  'devices',
  {
    id: uuid('id').primaryKey(),
    clinicId: uuid('clinic_id')
      .notNull()
      .references(() => clinics.id),
    // The name the workstation gave itself at enrollment ("Reception 1").
    name: text('name').notNull(),
    // hex SHA-256 of the device token; the token itself is never stored.
    tokenHash: text('token_hash').notNull().unique(),
    enrolledAt: at('enrolled_at').notNull().defaultNow(),
    lastSeenAt: at('last_seen_at'),
    revokedAt: at('revoked_at'),
  },
  (t) => [index('devices_clinic_idx').on(t.clinicId)],
);

export const enrollments = pgTable(
  'enrollments',
  {
    id: uuid('id').primaryKey(),
    clinicId: uuid('clinic_id')
      .notNull()
      .references(() => clinics.id),
    // hex SHA-256 of the normalised one-time code.
    codeHash: text('code_hash').notNull().unique(),
    // The clinic key ring wrapped under a key derived from the code; NULL for a founding
    // code, whose redeemer creates the keys itself.
    wrappedKeyRing: bytea('wrapped_key_ring'),
    createdBy: uuid('created_by').references(() => devices.id),
    createdAt: at('created_at').notNull().defaultNow(),
    expiresAt: at('expires_at').notNull(),
    usedAt: at('used_at'),
    usedByDevice: uuid('used_by_device').references(() => devices.id),
  },
  (t) => [index('enrollments_clinic_idx').on(t.clinicId)],
);

export const changes = pgTable(
  'changes',
  {
    clinicId: uuid('clinic_id')
      .notNull()
      .references(() => clinics.id),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    changeId: uuid('change_id').notNull(),
    deviceId: uuid('device_id')
      .notNull()
      .references(() => devices.id),
    // Routing metadata the workstations need to apply a change; names only, no values.
    tbl: text('tbl').notNull(),
    rowId: text('row_id').notNull(),
    col: text('col').notNull(),
    clock: text('clock').notNull(),
    // The field envelope exactly as sent: opaque ciphertext.
    value: bytea('value').notNull(),
    receivedAt: at('received_at').notNull().default(sql`now()`),
  },
  (t) => [
    primaryKey({ columns: [t.clinicId, t.seq] }),
    unique('changes_clinic_change_uq').on(t.clinicId, t.changeId),
  ],
);

/** Referral mailbox (issue 8; routes in mailbox.ts): which clinic on this server answers to a
 *  clinic card fingerprint. A clinic claims its address by signing with the card's key. */
export const mailboxAddresses = pgTable('mailbox_addresses', {
  // hex SHA-256 of the clinic card's public keys: public, names a clinic, not a person.
  fingerprint: text('fingerprint').primaryKey(),
  clinicId: uuid('clinic_id')
    .notNull()
    .references(() => clinics.id),
  createdAt: at('created_at').notNull().defaultNow(),
});

/** Referral packages waiting for the receiving clinic: opaque ciphertext (encrypted to the
 *  receiving clinic's key, signed by the sender) plus routing metadata. */
export const mailboxMessages = pgTable(
  'mailbox_messages',
  {
    id: uuid('id').primaryKey(),
    // The receiving clinic; every read is scoped to the reading device's clinic.
    clinicId: uuid('clinic_id')
      .notNull()
      .references(() => clinics.id),
    fromDevice: uuid('from_device')
      .notNull()
      .references(() => devices.id),
    package: bytea('package').notNull(),
    bytes: integer('bytes').notNull(),
    receivedAt: at('received_at').notNull().defaultNow(),
    ackedAt: at('acked_at'),
  },
  (t) => [index('mailbox_messages_clinic_idx').on(t.clinicId)],
);

export const serverSchema = { clinics, devices, enrollments, changes, mailboxAddresses, mailboxMessages };
