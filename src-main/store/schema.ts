import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * The workstation store. Every column that identifies a person or describes their health is
 * a BLOB holding a field envelope (DESIGN.md §4). Each plaintext column carries a comment
 * saying why it may be plaintext.
 */

/** Local facts about this installation. Never synced. */
export const meta = sqliteTable('meta', {
  // plaintext: fixed setting names chosen by the code.
  key: text('key').primaryKey(),
  // plaintext: install id, node id, clock high-water mark, counters, the backup schedule
  // (folder, keep-last-N) and the last backup's result; none identify a person.
  value: text('value').notNull(),
});

/** The clinic data key ring, each version wrapped under the device key. */
export const keyRing = sqliteTable('key_ring', {
  // plaintext: key version number.
  version: integer('version').primaryKey(),
  // envelope: the CDK wrapped under the device key from the OS keychain.
  wrappedCdk: blob('wrapped_cdk', { mode: 'buffer' }).notNull(),
  // plaintext: timestamps and lifecycle status.
  createdAt: integer('created_at').notNull(),
  status: text('status', { enum: ['active', 'retired'] }).notNull(),
});

/** Clinic-wide settings; one row with id 'clinic'. Synced. */
export const clinicSettings = sqliteTable('clinic_settings', {
  // plaintext: constant row id.
  id: text('id').primaryKey(),
  // plaintext: the clinic's public name, printed on every document; not personal data.
  clinicName: text('clinic_name').notNull(),
  // plaintext: a number of minutes.
  idleMinutes: integer('idle_minutes').notNull(),
  // plaintext: timestamps.
  updatedAt: integer('updated_at').notNull(),
  // plaintext: role names ('admin,doctor') that must use a second factor; NULL means the
  // default (admin and doctor), '' means none. Role names are not personal data.
  secondFactorRoles: text('second_factor_roles'),
});

/** Staff accounts. Synced; never deleted, only deactivated. */
export const users = sqliteTable('users', {
  // plaintext: random UUID.
  id: text('id').primaryKey(),
  // plaintext: the login identifier, looked up before any key is in play for the user;
  // chosen by the clinic, not a patient's datum.
  username: text('username').notNull().unique(),
  // plaintext: role name, checked on every call.
  role: text('role', { enum: ['admin', 'doctor', 'receptionist'] }).notNull(),
  // plaintext: account status flag.
  active: integer('active', { mode: 'boolean' }).notNull(),
  // envelope: the person's name.
  displayName: blob('display_name', { mode: 'buffer' }).notNull(),
  // envelope: argon2id hash; encrypted so a copied database file cannot be cracked offline.
  passwordHash: blob('password_hash', { mode: 'buffer' }).notNull(),
  // envelope: JSON doctor profile (registration number, contact number...), or absent.
  doctorProfile: blob('doctor_profile', { mode: 'buffer' }),
  // plaintext: timestamps.
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  // envelope: JSON { secret (base32 TOTP key), confirmedAt }: key material for this user's
  // second factor; pending while confirmedAt is null. Synced so the factor works on every
  // workstation. Absent (or an envelope of null) when no factor is set up.
  totpSecret: blob('totp_secret', { mode: 'buffer' }),
  // envelope: JSON [{ hash, usedAt }] of the ten single-use recovery codes, SHA-256 hashed.
  recoveryCodes: blob('recovery_codes', { mode: 'buffer' }),
  // plaintext: the last accepted TOTP time step (a counter of 30 s periods), kept so a code
  // cannot be replayed inside its window; reveals only when the user last signed in.
  totpLastStep: integer('totp_last_step'),
});

/** Failed-login throttle per username on this workstation. Never synced. */
export const loginThrottle = sqliteTable('login_throttle', {
  // plaintext: the username as typed (login identifier, see users.username).
  username: text('username').primaryKey(),
  // plaintext: counters and timestamps.
  failures: integer('failures').notNull(),
  lockedUntil: integer('locked_until'),
  lastFailureAt: integer('last_failure_at').notNull(),
});

/** The newest clock of each synced field: the basis of last-writer-wins merging. */
export const fieldClocks = sqliteTable(
  'field_clocks',
  {
    // plaintext: schema names, row ids and hybrid logical clocks.
    tbl: text('tbl').notNull(),
    rowId: text('row_id').notNull(),
    col: text('col').notNull(),
    clock: text('clock').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tbl, t.rowId, t.col] })],
);

/** Changes waiting to be pushed to the clinic's sync server. */
export const outbox = sqliteTable(
  'outbox',
  {
    // plaintext: ids, schema names, clocks and timestamps.
    changeId: text('change_id').primaryKey(),
    tbl: text('tbl').notNull(),
    rowId: text('row_id').notNull(),
    col: text('col').notNull(),
    clock: text('clock').notNull(),
    // envelope: the field's value, sealed for its place; the server sees only this.
    value: blob('value', { mode: 'buffer' }).notNull(),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [index('outbox_pending').on(t.sentAt, t.clock)],
);

/** Append-only audit trail, SHA-256 hash-chained; UPDATE and DELETE are refused by triggers. */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    // plaintext: sequence number, ids, timestamps, action names and outcomes; the detail
    // column holds no patient data by construction (see audit/chain.ts).
    seq: integer('seq').primaryKey(),
    id: text('id').notNull().unique(),
    at: integer('at').notNull(),
    actorUserId: text('actor_user_id'),
    actorRole: text('actor_role'),
    action: text('action').notNull(),
    subjectType: text('subject_type'),
    subjectId: text('subject_id'),
    outcome: text('outcome', { enum: ['ok', 'denied', 'failed'] }).notNull(),
    detail: text('detail').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_subject').on(t.subjectType, t.subjectId), index('audit_at').on(t.at)],
);

/** Security events: injection detections, lockouts, rate limits, decryption failures. */
export const securityEvents = sqliteTable(
  'security_events',
  {
    // plaintext: ids, kinds, channel names, timestamps; detail never holds patient data.
    id: integer('id').primaryKey(),
    at: integer('at').notNull(),
    kind: text('kind').notNull(),
    channel: text('channel'),
    userId: text('user_id'),
    detail: text('detail').notNull(),
    acknowledgedAt: integer('acknowledged_at'),
    // plaintext: the admin's user id who acknowledged the event (admin/audit handlers).
    acknowledgedBy: text('acknowledged_by'),
  },
  (t) => [index('security_at').on(t.at)],
);

/**
 * Patients. Every demographic and clinical value is an envelope, one column per field so
 * that sync can merge concurrent edits field by field.
 */
export const patients = sqliteTable('patients', {
  // plaintext: random UUID.
  id: text('id').primaryKey(),
  // plaintext: the printed record number (workstation prefix + counter); it carries no
  // personal meaning and reception looks it up exactly.
  patientNumber: text('patient_number').notNull().unique(),
  // envelopes: the person and their health, as DESIGN.md §4 classifies them.
  givenNames: blob('given_names', { mode: 'buffer' }).notNull(),
  familyName: blob('family_name', { mode: 'buffer' }).notNull(),
  sex: blob('sex', { mode: 'buffer' }).notNull(),
  birth: blob('birth', { mode: 'buffer' }).notNull(),
  phones: blob('phones', { mode: 'buffer' }).notNull(),
  address: blob('address', { mode: 'buffer' }).notNull(),
  nationalId: blob('national_id', { mode: 'buffer' }).notNull(),
  otherId: blob('other_id', { mode: 'buffer' }).notNull(),
  bloodGroup: blob('blood_group', { mode: 'buffer' }).notNull(),
  heightCm: blob('height_cm', { mode: 'buffer' }).notNull(),
  weightKg: blob('weight_kg', { mode: 'buffer' }).notNull(),
  preferredLanguage: blob('preferred_language', { mode: 'buffer' }).notNull(),
  emergencyContacts: blob('emergency_contacts', { mode: 'buffer' }).notNull(),
  bystander: blob('bystander', { mode: 'buffer' }).notNull(),
  insurance: blob('insurance', { mode: 'buffer' }).notNull(),
  allergies: blob('allergies', { mode: 'buffer' }).notNull(),
  chronicConditions: blob('chronic_conditions', { mode: 'buffer' }).notNull(),
  medicoLegal: blob('medico_legal', { mode: 'buffer' }).notNull(),
  notes: blob('notes', { mode: 'buffer' }).notNull(),
  // plaintext: who registered the record and when.
  createdBy: text('created_by'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * Blind index over patients' searchable fields (DESIGN.md §4): HMAC tokens, never
 * plaintext. Local to this workstation; a receiver rebuilds it from decrypted values.
 */
export const blindIndex = sqliteTable(
  'blind_index',
  {
    // plaintext: token kind ('name-prefix', 'phone', ...) and the indexed row's id.
    kind: text('kind').notNull(),
    // plaintext by construction: a truncated HMAC, not the value.
    token: blob('token', { mode: 'buffer' }).notNull(),
    rowId: text('row_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.token, t.rowId] }), index('blind_index_row').on(t.rowId)],
);

/** A patient's photo, encrypted; one row per patient. Synced. */
export const patientPhotos = sqliteTable('patient_photos', {
  // plaintext: the patient's id (a random UUID).
  id: text('id').primaryKey(),
  // envelope: JSON { mime, base64 } of the JPEG or PNG bytes.
  image: blob('image', { mode: 'buffer' }).notNull(),
  // plaintext: timestamp.
  updatedAt: integer('updated_at').notNull(),
});

/**
 * Every value a patient field has had, for the admin's history view. Insert-only (a trigger
 * refuses UPDATE and DELETE). Local to the workstation that made the change.
 */
export const patientHistory = sqliteTable(
  'patient_history',
  {
    // plaintext: random UUID, also the envelope's row id.
    id: text('id').primaryKey(),
    // plaintext: the patient's id, the column name, the kind of change, who and when.
    patientId: text('patient_id').notNull(),
    field: text('field').notNull(),
    kind: text('kind', { enum: ['registered', 'corrected'] }).notNull(),
    changedBy: text('changed_by'),
    changedAt: integer('changed_at').notNull(),
    // envelope: the field's value as it was set.
    value: blob('value', { mode: 'buffer' }).notNull(),
  },
  (t) => [index('patient_history_patient').on(t.patientId, t.changedAt)],
);

/** Visits: one per check-in, with the day's token. Synced. */
export const visits = sqliteTable(
  'visits',
  {
    // plaintext: ids (random UUIDs) and foreign keys.
    id: text('id').primaryKey(),
    patientId: text('patient_id').notNull(),
    doctorId: text('doctor_id'),
    appointmentId: text('appointment_id'),
    // plaintext: the calendar day and the day's token number, printed and called out.
    day: text('day').notNull(),
    token: integer('token').notNull(),
    // plaintext: statuses and priorities drive the queue's order.
    priority: text('priority', { enum: ['emergency', 'urgent', 'routine'] }).notNull(),
    status: text('status', { enum: ['waiting', 'with-doctor', 'done', 'left', 'cancelled'] }).notNull(),
    // envelope: why the patient came (health information).
    reason: blob('reason', { mode: 'buffer' }).notNull(),
    // plaintext: who checked the patient in, and timestamps.
    createdBy: text('created_by'),
    checkedInAt: integer('checked_in_at').notNull(),
    calledAt: integer('called_at'),
    statusChangedAt: integer('status_changed_at').notNull(),
  },
  (t) => [index('visits_day').on(t.day, t.status), index('visits_patient').on(t.patientId, t.day)],
);

/** A doctor's weekly hours and slot length; one row per doctor. Synced. */
export const doctorSchedules = sqliteTable('doctor_schedules', {
  // plaintext: the doctor's user id.
  doctorId: text('doctor_id').primaryKey(),
  // plaintext: working hours are staff rota data, not personal health data.
  slotMinutes: integer('slot_minutes').notNull(),
  weekly: text('weekly').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Leave days; a cleared leave day keeps its row with on_leave = 0 (a tombstone for sync). */
export const doctorLeave = sqliteTable(
  'doctor_leave',
  {
    // plaintext: '<doctor id>:<date>' (the envelope place format reserves '|'), the doctor's id and the date.
    id: text('id').primaryKey(),
    doctorId: text('doctor_id').notNull(),
    date: text('date').notNull(),
    // plaintext: flag and a short rota note ("conference"); staff data, not patient data.
    onLeave: integer('on_leave', { mode: 'boolean' }).notNull(),
    note: text('note').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('doctor_leave_doctor').on(t.doctorId, t.date)],
);

/** Booked appointments; never deleted, cancelled ones keep their row. Synced. */
export const appointments = sqliteTable(
  'appointments',
  {
    // plaintext: ids and foreign keys.
    id: text('id').primaryKey(),
    doctorId: text('doctor_id').notNull(),
    patientId: text('patient_id').notNull(),
    visitId: text('visit_id'),
    // plaintext: the slot (calendar date, minutes from midnight) and status drive the
    // diary and the double-booking check.
    date: text('date').notNull(),
    startMin: integer('start_min').notNull(),
    endMin: integer('end_min').notNull(),
    status: text('status', { enum: ['booked', 'cancelled', 'checked-in'] }).notNull(),
    // envelope: the reason for the appointment (health information).
    reason: blob('reason', { mode: 'buffer' }).notNull(),
    // plaintext: who booked it and timestamps.
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('appointments_doctor_date').on(t.doctorId, t.date),
    index('appointments_patient').on(t.patientId),
  ],
);

/**
 * This workstation's sync settings and progress as named values (server address, device
 * id and name, clinic id, pull cursor, joining flag). Never synced. The device token is not
 * here: it lives in the OS keychain beside the device key.
 */
export const syncState = sqliteTable('sync_state', {
  // plaintext: fixed setting names chosen by the code.
  key: text('key').primaryKey(),
  // plaintext: a URL, ids, counters and timestamps; none identify a person.
  value: text('value').notNull(),
});

/**
 * Fields of rows that arrived before every NOT NULL column of their row did (a row travels
 * field by field and may be split across pulled pages). The row is inserted once complete;
 * until then its clocks are in field_clocks and its values here.
 */
export const syncStaging = sqliteTable(
  'sync_staging',
  {
    // plaintext: schema names and the row id.
    tbl: text('tbl').notNull(),
    rowId: text('row_id').notNull(),
    col: text('col').notNull(),
    // envelope: the value as it arrived (plain columns too stay sealed until inserted).
    value: blob('value', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tbl, t.rowId, t.col] })],
);

/**
 * Pulled changes stamped by a clock too far ahead of this workstation's (drift guard): kept
 * here, not applied, and retried on every pass until the clocks agree.
 */
export const syncHeld = sqliteTable('sync_held', {
  // plaintext: ids, sequence numbers, schema names, clocks, device id and timestamp.
  changeId: text('change_id').primaryKey(),
  seq: integer('seq').notNull(),
  tbl: text('tbl').notNull(),
  rowId: text('row_id').notNull(),
  col: text('col').notNull(),
  clock: text('clock').notNull(),
  deviceId: text('device_id').notNull(),
  heldAt: integer('held_at').notNull(),
  // envelope: the value as it arrived.
  value: blob('value', { mode: 'buffer' }).notNull(),
});

/**
 * This workstation's own edits of clinical free text, with the clock of the value the editor
 * was looking at (base). A received edit that loses to one of these and is newer than its
 * base was made without either side seeing the other: it becomes a conflict copy.
 */
export const syncOwnTextWrites = sqliteTable(
  'sync_own_text_writes',
  {
    // plaintext: schema names, row id and clocks.
    tbl: text('tbl').notNull(),
    rowId: text('row_id').notNull(),
    col: text('col').notNull(),
    clock: text('clock').notNull(),
    base: text('base'),
  },
  (t) => [primaryKey({ columns: [t.tbl, t.rowId, t.col, t.clock] })],
);

/** Clinical free text that lost a concurrent edit, kept for review. Insert-only. Synced. */
export const conflictCopies = sqliteTable(
  'conflict_copies',
  {
    // plaintext: an id derived from the lost edit (so every workstation names it alike),
    // the place it came from (schema names and the record's id) and the lost edit's clock.
    id: text('id').primaryKey(),
    sourceTable: text('source_table').notNull(),
    sourceRowId: text('source_row_id').notNull(),
    sourceColumn: text('source_column').notNull(),
    lostClock: text('lost_clock').notNull(),
    // envelope: the losing text.
    text: blob('text', { mode: 'buffer' }).notNull(),
    // plaintext: timestamps.
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('conflict_copies_source').on(t.sourceRowId)],
);

/** A patient's allergies, chronic conditions and current medications, recorded by a doctor.
 *  Synced; one envelope per item, so concurrent edits of one item resolve as a whole. */
export const chartItems = sqliteTable(
  'chart_items',
  {
    // plaintext: random UUID and the patient's id.
    id: text('id').primaryKey(),
    patientId: text('patient_id').notNull(),
    // plaintext: which list the item belongs to (allergy, condition, medication) says that
    // a patient has one, not what it is.
    kind: text('kind', { enum: ['allergy', 'condition', 'medication'] }).notNull(),
    // envelope: substance/name, reaction, severity, status (health information).
    details: blob('details', { mode: 'buffer' }).notNull(),
    // plaintext: who recorded it and when.
    recordedBy: text('recorded_by'),
    recordedAt: integer('recorded_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('chart_items_patient').on(t.patientId)],
);

/** One consultation per visit (its id is the visit's id): a draft until finished. Synced. */
export const consultations = sqliteTable(
  'consultations',
  {
    // plaintext: the visit's id, the patient's and the doctor's.
    visitId: text('visit_id').primaryKey(),
    patientId: text('patient_id').notNull(),
    doctorId: text('doctor_id'),
    // plaintext: draft or final drives the queue, not clinical content.
    status: text('status', { enum: ['draft', 'final'] }).notNull(),
    // envelope: everything the doctor writes (health information).
    complaints: blob('complaints', { mode: 'buffer' }).notNull(),
    history: blob('history', { mode: 'buffer' }).notNull(),
    examination: blob('examination', { mode: 'buffer' }).notNull(),
    vitals: blob('vitals', { mode: 'buffer' }).notNull(),
    diagnosis: blob('diagnosis', { mode: 'buffer' }).notNull(),
    advice: blob('advice', { mode: 'buffer' }).notNull(),
    followUp: blob('follow_up', { mode: 'buffer' }).notNull(),
    // plaintext: timestamps.
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('consultations_patient').on(t.patientId)],
);

/** Signed prescriptions: insert-only (SQL triggers), a new version points to the one it
 *  replaces. Synced; never conflicts because no row is ever written twice. */
export const prescriptions = sqliteTable(
  'prescriptions',
  {
    // plaintext: random UUID, the patient's, visit's and doctor's ids.
    id: text('id').primaryKey(),
    patientId: text('patient_id').notNull(),
    visitId: text('visit_id').notNull(),
    doctorId: text('doctor_id').notNull(),
    // plaintext: version number and the id of the version replaced ('' for the first):
    // NOT NULL so the row is only inserted once every column has arrived.
    version: integer('version').notNull(),
    previousId: text('previous_id').notNull(),
    // envelope: the signed content as canonical JSON (items, advice, diagnosis, overrides).
    content: blob('content', { mode: 'buffer' }).notNull(),
    // plaintext: SHA-256 of the canonical content (printed on the paper; over content that
    // includes random ids and times, it reveals nothing about the items).
    digest: text('digest').notNull(),
    signedAt: integer('signed_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('prescriptions_patient').on(t.patientId), index('prescriptions_visit').on(t.visitId)],
);

/** Attachments filed in a chart. The bytes live encrypted in attachments/<id>.kva (KVA1
 *  chunked format); this row names them. Local to the workstation that filed them. */
export const attachments = sqliteTable(
  'attachments',
  {
    // plaintext: random UUID and the patient's and visit's ids.
    id: text('id').primaryKey(),
    patientId: text('patient_id').notNull(),
    visitId: text('visit_id'),
    // envelope: the file's name (often names the test or the patient).
    name: blob('name', { mode: 'buffer' }).notNull(),
    // plaintext: type, size and key version are needed to show and open the file.
    mime: text('mime', { enum: ['application/pdf', 'image/png', 'image/jpeg'] }).notNull(),
    bytes: integer('bytes').notNull(),
    keyVersion: integer('key_version').notNull(),
    // plaintext: SHA-256 of the encrypted file, to notice a swapped file before opening it.
    fileSha256: text('file_sha256').notNull(),
    uploadedBy: text('uploaded_by'),
    uploadedAt: integer('uploaded_at').notNull(),
  },
  (t) => [index('attachments_patient').on(t.patientId)],
);

/** The billing ledger (issue 7): every issued invoice, payment, refund and void as one entry
 *  in a per-workstation SHA-256 hash chain. Insert-only (SQL triggers). Synced; never
 *  conflicts because no row is ever written twice. */
export const ledgerEntries = sqliteTable(
  'ledger_entries',
  {
    // plaintext: '<workstation id>:<seq>', the writing workstation's random node id and the
    // entry's number in that workstation's chain; neither identifies a person.
    id: text('id').primaryKey(),
    workstationId: text('workstation_id').notNull(),
    seq: integer('seq').notNull(),
    // plaintext: what happened and the invoice's or payment's random id.
    kind: text('kind', { enum: ['invoice-issued', 'payment', 'refund', 'void'] }).notNull(),
    refId: text('ref_id').notNull(),
    // plaintext: canonical JSON of amounts in integer paise, method and ids only (never a
    // name): reports add the amounts up (DESIGN.md §4), and the hash covers these exact bytes.
    content: text('content').notNull(),
    // plaintext: SHA-256 hashes of the chain.
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    // plaintext: timestamps.
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('ledger_entries_chain').on(t.workstationId, t.seq)],
);
