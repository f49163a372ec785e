import { blob, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Lab results received as HL7 v2 ORU^R01 messages (issue 8): one row per message, its OBX
 * rows as one envelope, the whole report filed beside it as an attachment (PDF). Local to
 * the workstation that received it, like attachments (not synced). keys/catalog.ts walks
 * schema.ts only: this envelope stays readable under the key version that sealed it while
 * the ring keeps that version.
 */
export const labResults = sqliteTable(
  'lab_results',
  {
    // plaintext: random UUID, the patient's id and the report attachment's id.
    id: text('id').primaryKey(),
    patientId: text('patient_id').notNull(),
    attachmentId: text('attachment_id'),
    // envelope: JSON { controlId, sendingFacility, observations: [{ code, name, value, units,
    // referenceRange, flag, observedAt }] }: test names and values describe the patient's health.
    observations: blob('observations', { mode: 'buffer' }).notNull(),
    // plaintext: who filed it and when, for the audit trail and ordering.
    receivedBy: text('received_by'),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [index('lab_results_patient').on(t.patientId)],
);
