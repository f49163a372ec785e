import { z } from 'zod';
import {
  type AuditChainResult,
  type AuditCsv,
  type AuditPage,
  auditExportInput,
  auditListInput,
  type SecurityPage,
  type SecuritySummary,
  securityAcknowledgeInput,
  securityListInput,
  securitySummaryInput,
} from './audit.js';
import {
  type BackupCheck,
  type BackupCreated,
  type BackupStatus,
  backupConfigureInput,
  backupRunInput,
  backupVerifyInput,
} from './backup.js';
import { billingContract } from './billing-contract.js';
import { type Access, type AuditKind, type ChannelDef, channel } from './channel-def.js';
import {
  type AttachmentInfo,
  type AttachmentPiece,
  attachmentBeginInput,
  attachmentPieceInput,
  type ChartItem,
  type Consultation,
  consultationDraftInput,
  consultationFinishInput,
  consultationFinishStatic,
  type PatientChart,
  type Prescription,
  saveChartItemInput,
  signPrescriptionInput,
  signPrescriptionStatic,
} from './clinical/chart.js';
import { interopContract } from './interop-contract.js';
import { calendarDateInput, patientInputAt } from './patient.js';
import { referralContract } from './referral-contract.js';
import { ROLES, type Role } from './roles.js';
import { SLOT_MINUTES, timeInput, weeklyHoursInput } from './schedule.js';
import { secondFactorCodeInput, totpCodeInput } from './second-factor.js';
import {
  emptyInput,
  idInput,
  multiLine,
  passwordInput,
  phoneInput,
  singleLine,
  usernameInput,
} from './text.js';
import {
  type Appointment,
  type ClinicSettings,
  type ConflictCopy,
  type DaySlots,
  type DoctorOption,
  type DoctorSchedule,
  type EnrollmentCode,
  type FieldHistoryEntry,
  type PatientPhoto,
  type PatientRecord,
  type PatientSummary,
  PRIORITIES,
  type PrintableDocument,
  type QueueView,
  type RegistrationResult,
  type SecondFactorStage,
  type SessionInfo,
  type SetupStatus,
  type StaffDetail,
  type StaffSummary,
  type SyncDevice,
  type SyncStatus,
  type TotpConfirmation,
  type TotpEnrollment,
  VISIT_STATUSES,
  type VisitSummary,
} from './types.js';

/**
 * The IPC contract: every operation the renderer may ask of main, with its strict input
 * schema, who may call it and a one-line description. The preload bridge, the router, the
 * preview transport and the injection tests are all generated from this table.
 */

const displayName = singleLine({ min: 1, max: 100 });
const reasonInput = singleLine({ max: 200 });
const priorityInput = z.enum(PRIORITIES, { error: 'Choose emergency, urgent or routine' });

/** A photo as base64 of the JPEG or PNG bytes; the handler checks the magic bytes. */
export const MAX_PHOTO_BYTES = 1_000_000;
const photoInput = z
  .string({ error: 'Expected the image as base64' })
  .max(Math.ceil(MAX_PHOTO_BYTES / 3) * 4, { error: 'The photo is larger than 1 MB' })
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'Expected the image as base64' });
const roleInput = z.enum(ROLES, { error: 'Choose admin, doctor or receptionist' });

export const doctorProfileInput = z.strictObject({
  registrationNumber: singleLine({ min: 1, max: 40 }),
  department: singleLine({ max: 80 }),
  specialization: singleLine({ max: 80 }),
  yearsOfExperience: z
    .number({ error: 'Expected a number' })
    .int({ error: 'Whole years' })
    .min(0, { error: 'Cannot be negative' })
    .max(70, { error: 'At most 70 years' })
    .nullable(),
  contactNumber: z.union([z.literal(''), phoneInput], {
    error: 'Enter a 10-digit Indian mobile number or an international number like +441632960961',
  }),
  availabilityNote: multiLine({ max: 500 }),
});

const doctorRequired = (v: { role: Role; doctor?: unknown }) => v.role !== 'doctor' || v.doctor != null;
const doctorRule = { error: 'A doctor needs a registration number', path: ['doctor', 'registrationNumber'] };

export const staffCreateInput = z
  .strictObject({
    username: usernameInput,
    displayName,
    role: roleInput,
    password: passwordInput,
    doctor: doctorProfileInput.nullable().optional(),
  })
  .refine(doctorRequired, doctorRule);

export const staffUpdateInput = z
  .strictObject({
    id: idInput,
    displayName,
    role: roleInput,
    doctor: doctorProfileInput.nullable().optional(),
  })
  .refine(doctorRequired, doctorRule);

const registerInput = (today: string | null) =>
  z.strictObject({
    patient: patientInputAt(today),
    decision: z.enum(['check-duplicates', 'register-new'], {
      error: 'Choose check-duplicates or register-new',
    }),
    reviewedCandidates: z.array(idInput).max(50).default([]),
  });

const updateInput = (today: string | null) =>
  z.strictObject({
    id: idInput,
    patient: patientInputAt(today),
    // The form only holds the masked Aadhaar: true keeps the stored number unchanged.
    keepNationalId: z.boolean({ error: 'Expected true or false' }),
  });

/** A sync server address: http(s) only, no credentials in it. */
export const serverUrlInput = z
  .string({ error: 'Expected an address' })
  .max(200, { error: 'At most 200 characters' })
  .refine(
    (s) => {
      try {
        const u = new URL(s);
        return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '';
      } catch {
        return false;
      }
    },
    { error: 'Enter the server address, like https://sync.example.clinic or http://192.168.1.10:8787' },
  );
const enrollmentCodeInput = z
  .string({ error: 'Expected the code' })
  .max(80, { error: 'At most 80 characters' })
  .regex(/^[0-9A-Za-z\s-]{16,80}$/, {
    error: 'Enter the code exactly as shown, letters and digits in groups',
  });
const deviceNameInput = singleLine({ min: 1, max: 80 });

export const contract = {
  'setup.status': channel<SetupStatus>()({
    input: emptyInput,
    access: 'public',
    description: 'Whether this workstation still needs its first-run clinic setup.',
    audit: 'none',
    perMinute: 120,
  }),
  'setup.createClinic': channel<SessionInfo>()({
    input: z.strictObject({
      clinicName: singleLine({ min: 1, max: 120 }),
      adminDisplayName: displayName,
      adminUsername: usernameInput,
      password: passwordInput,
      /** Roles that must use a second factor; admin and doctor when left out. */
      secondFactorRoles: z.array(roleInput, { error: 'Expected a list of roles' }).max(3).optional(),
    }),
    access: 'public',
    description: 'First run only: name the clinic, create the first admin and log them in.',
    audit: 'auth',
    perMinute: 10,
  }),
  'auth.login': channel<SessionInfo>()({
    input: z.strictObject({ username: singleLine({ min: 1, max: 64 }), password: passwordInput }),
    access: 'public',
    description: 'Log in with username and password; five failures lock the account for a growing delay.',
    audit: 'auth',
    perMinute: 20,
  }),
  'auth.unlock': channel<SessionInfo>()({
    input: z.strictObject({ password: passwordInput }),
    access: 'any',
    whileLocked: true,
    description: "Re-enter the logged-in user's password after an idle lock.",
    audit: 'auth',
    perMinute: 20,
  }),
  'auth.logout': channel<null>()({
    input: emptyInput,
    access: 'any',
    whileLocked: true,
    beforeSecondFactor: ['second-factor', 'enroll-second-factor'],
    description: 'End this window’s session.',
    audit: 'auth',
    perMinute: 60,
  }),
  'auth.changePassword': channel<null>()({
    input: z.strictObject({ currentPassword: passwordInput, newPassword: passwordInput }),
    access: 'any',
    description: 'Change your own password (current password required).',
    audit: 'auth',
    perMinute: 10,
  }),
  'session.status': channel<SessionInfo>()({
    input: emptyInput,
    access: 'public',
    whileLocked: true,
    description: 'Who is logged in to this window, and whether the session is idle-locked.',
    audit: 'none',
    perMinute: 600,
  }),
  'session.heartbeat': channel<SessionInfo>()({
    input: emptyInput,
    access: 'any',
    beforeSecondFactor: ['second-factor', 'enroll-second-factor'],
    description: 'The user is active at the keyboard: postpone the idle lock.',
    audit: 'none',
    perMinute: 120,
  }),
  'staff.list': channel<StaffSummary[]>()({
    input: z.strictObject({ includeInactive: z.boolean({ error: 'Expected true or false' }) }),
    access: ['admin'],
    description: 'List staff accounts.',
    audit: 'admin',
    perMinute: 120,
  }),
  'staff.get': channel<StaffDetail>()({
    input: z.strictObject({ id: idInput }),
    access: ['admin'],
    description: 'One staff account with its doctor profile.',
    audit: 'admin',
    perMinute: 120,
  }),
  'staff.create': channel<StaffDetail>()({
    input: staffCreateInput,
    access: ['admin'],
    description: 'Add a staff account with an initial password.',
    audit: 'admin',
    perMinute: 30,
  }),
  'staff.update': channel<StaffDetail>()({
    input: staffUpdateInput,
    access: ['admin'],
    description: 'Edit a staff account’s name, role and doctor profile.',
    audit: 'admin',
    perMinute: 60,
  }),
  'staff.setActive': channel<StaffDetail>()({
    input: z.strictObject({ id: idInput, active: z.boolean({ error: 'Expected true or false' }) }),
    access: ['admin'],
    description: 'Deactivate or reactivate a staff account (accounts are never deleted).',
    audit: 'admin',
    perMinute: 60,
  }),
  'staff.resetPassword': channel<null>()({
    input: z.strictObject({ id: idInput, newPassword: passwordInput }),
    access: ['admin'],
    description: 'Set a new password for a staff account and clear its lockout.',
    audit: 'admin',
    perMinute: 30,
  }),
  'settings.get': channel<ClinicSettings>()({
    input: emptyInput,
    access: ['admin'],
    description: 'Clinic name and idle lock timeout.',
    audit: 'none',
    perMinute: 120,
  }),
  'settings.update': channel<ClinicSettings>()({
    input: z.strictObject({
      clinicName: singleLine({ min: 1, max: 120 }),
      idleMinutes: z
        .number({ error: 'Expected a number' })
        .int({ error: 'Whole minutes' })
        .min(1, { error: 'At least 1 minute' })
        .max(60, { error: 'At most 60 minutes' }),
    }),
    access: ['admin'],
    description: 'Change the clinic name and the idle lock timeout.',
    audit: 'admin',
    perMinute: 30,
  }),
  'audit.verify': channel<AuditChainResult>()({
    input: emptyInput,
    access: ['admin'],
    description: 'Check the audit trail’s hash chain and name the first broken link.',
    audit: 'admin',
    perMinute: 10,
  }),
  'patients.register': channel<RegistrationResult>()({
    input: registerInput(null),
    inputAt: registerInput,
    access: ['receptionist'],
    description:
      'Register a patient; first returns possible duplicates unless reception chose to register as new.',
    audit: 'personal-write',
    perMinute: 60,
  }),
  'patients.search': channel<PatientSummary[]>()({
    input: z.strictObject({ query: singleLine({ min: 2, max: 100 }) }),
    access: ['receptionist', 'doctor', 'admin'],
    description: 'Find patients by a name prefix, phone, full Aadhaar number or patient number.',
    audit: 'personal-read',
    perMinute: 600,
  }),
  'patients.get': channel<PatientRecord>()({
    input: z.strictObject({ id: idInput }),
    access: ['receptionist', 'doctor'],
    description: 'One patient’s whole record, Aadhaar masked.',
    audit: 'personal-read',
    perMinute: 300,
  }),
  'patients.update': channel<PatientRecord>()({
    input: updateInput(null),
    inputAt: updateInput,
    access: ['receptionist'],
    description: 'Correct a patient’s demographics; every changed field is audited and kept in its history.',
    audit: 'personal-write',
    perMinute: 60,
  }),
  'patients.revealNationalId': channel<{ nationalId: string }>()({
    input: z.strictObject({ id: idInput }),
    access: ['receptionist', 'doctor'],
    description: 'Show the full Aadhaar number once; every reveal is audited.',
    audit: 'personal-read',
    perMinute: 30,
  }),
  'patients.history': channel<FieldHistoryEntry[]>()({
    input: z.strictObject({ id: idInput }),
    access: ['admin'],
    description: 'Every value each field of a patient’s record has had, with who set it and when.',
    audit: 'personal-read',
    perMinute: 60,
  }),
  'patients.setPhoto': channel<null>()({
    input: z.strictObject({ id: idInput, imageBase64: photoInput.nullable() }),
    access: ['receptionist'],
    description: 'Store (encrypted) or remove a patient’s photo; JPEG or PNG up to 1 MB.',
    audit: 'personal-write',
    perMinute: 30,
  }),
  'patients.photo': channel<PatientPhoto | null>()({
    input: z.strictObject({ id: idInput }),
    access: ['receptionist', 'doctor'],
    description: 'A patient’s photo, decrypted, or null when there is none.',
    audit: 'personal-read',
    perMinute: 300,
  }),
  'patients.slip': channel<PrintableDocument>()({
    input: z.strictObject({ id: idInput, visitId: idInput.nullable() }),
    access: ['receptionist'],
    description:
      'The printable registration slip (PDF) with patient number and, when checked in, the queue token.',
    audit: 'personal-read',
    perMinute: 60,
  }),
  'doctors.list': channel<DoctorOption[]>()({
    input: emptyInput,
    access: 'any',
    description: 'Active doctors, for assigning visits and booking appointments.',
    audit: 'none',
    perMinute: 300,
  }),
  'visits.checkIn': channel<VisitSummary>()({
    input: z.strictObject({
      patientId: idInput,
      doctorId: idInput.nullable(),
      reason: reasonInput,
      priority: priorityInput,
    }),
    access: ['receptionist'],
    description: 'Check a walk-in in: a visit with today’s token, for a doctor or the next available one.',
    audit: 'personal-write',
    perMinute: 120,
  }),
  'visits.queue': channel<QueueView>()({
    input: z.strictObject({
      doctor: z.union([z.literal('all'), z.literal('unassigned'), z.literal('mine'), idInput], {
        error: 'Choose all, unassigned, mine or a doctor',
      }),
      includeFinished: z.boolean({ error: 'Expected true or false' }),
    }),
    access: ['receptionist', 'doctor'],
    description: 'Today’s queue, emergencies first, with waiting times and a count per doctor.',
    audit: 'personal-read',
    perMinute: 600,
  }),
  'visits.setStatus': channel<VisitSummary>()({
    input: z.strictObject({
      id: idInput,
      status: z.enum(VISIT_STATUSES, { error: 'Choose waiting, with-doctor, done, left or cancelled' }),
    }),
    access: ['receptionist', 'doctor'],
    description:
      'Move a visit along: waiting → with doctor → done, or left without being seen, or cancelled.',
    audit: 'personal-write',
    perMinute: 300,
  }),
  'schedule.get': channel<DoctorSchedule>()({
    input: z.strictObject({ doctorId: idInput }),
    access: 'any',
    description: 'A doctor’s weekly hours, slot length and leave days.',
    audit: 'none',
    perMinute: 300,
  }),
  'schedule.set': channel<DoctorSchedule>()({
    input: z.strictObject({
      doctorId: idInput,
      slotMinutes: z.union(
        SLOT_MINUTES.map((n) => z.literal(n)),
        { error: `Choose a slot length of ${SLOT_MINUTES.join(', ')} minutes` },
      ),
      weekly: z
        .array(weeklyHoursInput, { error: 'Expected a list of sessions' })
        .max(21, { error: 'At most 21 sessions' }),
    }),
    access: ['admin', 'doctor'],
    description: 'Set a doctor’s weekly hours (admin, or the doctor for themself).',
    audit: 'admin',
    perMinute: 60,
  }),
  'schedule.setLeave': channel<DoctorSchedule>()({
    input: z.strictObject({
      doctorId: idInput,
      date: calendarDateInput,
      onLeave: z.boolean({ error: 'Expected true or false' }),
      note: singleLine({ max: 120 }),
    }),
    access: ['admin', 'doctor'],
    description: 'Mark or clear a leave day for a doctor (admin, or the doctor for themself).',
    audit: 'admin',
    perMinute: 60,
  }),
  'appointments.slots': channel<DaySlots>()({
    input: z.strictObject({ doctorId: idInput, date: calendarDateInput }),
    access: ['receptionist', 'doctor'],
    description: 'A doctor’s slots on one day and which are free.',
    audit: 'none',
    perMinute: 600,
  }),
  'appointments.list': channel<Appointment[]>()({
    input: z.strictObject({
      doctor: z.union([z.literal('all'), idInput], { error: 'Choose all or a doctor' }),
      from: calendarDateInput,
      days: z
        .number({ error: 'Expected a number of days' })
        .int({ error: 'Whole days' })
        .min(1, { error: 'At least 1 day' })
        .max(14, { error: 'At most 14 days' }),
    }),
    access: ['receptionist', 'doctor'],
    description: 'Appointments from a day for 1–14 days (day and week views), double bookings flagged.',
    audit: 'personal-read',
    perMinute: 600,
  }),
  'appointments.book': channel<Appointment>()({
    input: z.strictObject({
      doctorId: idInput,
      patientId: idInput,
      date: calendarDateInput,
      start: timeInput,
      reason: reasonInput,
    }),
    access: ['receptionist', 'doctor'],
    description: 'Book a free slot for a patient with a doctor.',
    audit: 'personal-write',
    perMinute: 120,
  }),
  'appointments.reschedule': channel<Appointment>()({
    input: z.strictObject({ id: idInput, doctorId: idInput, date: calendarDateInput, start: timeInput }),
    access: ['receptionist'],
    description: 'Move a booked appointment to another free slot.',
    audit: 'personal-write',
    perMinute: 120,
  }),
  'appointments.cancel': channel<Appointment>()({
    input: z.strictObject({ id: idInput }),
    access: ['receptionist'],
    description: 'Cancel a booked appointment (kept, marked cancelled).',
    audit: 'personal-write',
    perMinute: 120,
  }),
  'appointments.checkIn': channel<VisitSummary>()({
    input: z.strictObject({ id: idInput, priority: priorityInput }),
    access: ['receptionist'],
    description: 'The booked patient has arrived: check them in for their doctor in one action.',
    audit: 'personal-write',
    perMinute: 120,
  }),
  'setup.joinClinic': channel<SyncStatus>()({
    input: z.strictObject({
      serverUrl: serverUrlInput,
      code: enrollmentCodeInput,
      deviceName: deviceNameInput,
    }),
    access: 'public',
    description:
      'First run only: join an existing clinic with its server address and a one-time enrollment code.',
    audit: 'auth',
    perMinute: 10,
  }),
  'sync.status': channel<SyncStatus>()({
    input: emptyInput,
    access: 'any',
    description: 'Online or offline, last sync, changes waiting to be sent, errors in words.',
    audit: 'none',
    perMinute: 600,
  }),
  'sync.now': channel<SyncStatus>()({
    input: emptyInput,
    access: 'any',
    description: 'Start a sync pass now instead of waiting for the next one.',
    audit: 'none',
    perMinute: 30,
  }),
  'sync.connect': channel<SyncStatus>()({
    input: z.strictObject({
      serverUrl: serverUrlInput,
      code: enrollmentCodeInput,
      deviceName: deviceNameInput,
    }),
    access: ['admin'],
    description: 'Connect this clinic’s first workstation to a sync server with the clinic’s founding code.',
    audit: 'admin',
    perMinute: 10,
  }),
  'sync.createEnrollment': channel<EnrollmentCode>()({
    input: emptyInput,
    access: ['admin'],
    description: 'Make a one-time, expiring code that lets a new workstation join this clinic.',
    audit: 'admin',
    perMinute: 10,
  }),
  'sync.devices': channel<SyncDevice[]>()({
    input: emptyInput,
    access: ['admin'],
    description: 'The clinic’s workstations and when each was last seen by the server.',
    audit: 'admin',
    perMinute: 60,
  }),
  'sync.revokeDevice': channel<SyncDevice[]>()({
    input: z.strictObject({ deviceId: idInput }),
    access: ['admin'],
    description: 'Revoke a workstation: the server refuses it from then on.',
    audit: 'admin',
    perMinute: 20,
  }),
  'sync.conflicts': channel<ConflictCopy[]>()({
    input: z.strictObject({ rowId: idInput }),
    access: ['receptionist', 'doctor', 'admin'],
    description: 'Texts that lost a concurrent edit of one record, kept for review.',
    audit: 'personal-read',
    perMinute: 120,
  }),
  'visits.callNext': channel<VisitSummary | null>()({
    input: emptyInput,
    access: ['doctor'],
    description:
      'Call the next patient (own or unassigned, emergencies first): the visit becomes “with doctor”.',
    audit: 'personal-write',
    perMinute: 60,
  }),
  'chart.open': channel<PatientChart>()({
    input: z.strictObject({ patientId: idInput }),
    access: ['doctor'],
    description:
      'A patient’s chart: allergies, conditions, medications, past visits, prescriptions, attachments, vitals trends.',
    audit: 'personal-read',
    perMinute: 120,
  }),
  'chart.saveItem': channel<ChartItem>()({
    input: saveChartItemInput,
    access: ['doctor'],
    description: 'Record or update an allergy, chronic condition or current medication.',
    audit: 'personal-write',
    perMinute: 120,
  }),
  'consultations.get': channel<Consultation | null>()({
    input: z.strictObject({ visitId: idInput }),
    access: ['doctor'],
    description: 'The consultation of a visit (draft or finished), or null before one is started.',
    audit: 'personal-read',
    perMinute: 300,
  }),
  'consultations.saveDraft': channel<Consultation>()({
    input: consultationDraftInput,
    access: ['doctor'],
    description: 'Save the consultation as typed so far; nothing is checked for plausibility yet.',
    audit: 'personal-write',
    perMinute: 240,
  }),
  'consultations.finish': channel<Consultation>()({
    input: consultationFinishStatic,
    inputAt: consultationFinishInput,
    access: ['doctor'],
    description: 'Finish the consultation: vitals, diagnosis and follow-up checked; the visit is closed.',
    audit: 'personal-write',
    perMinute: 60,
  }),
  'prescriptions.sign': channel<Prescription>()({
    input: signPrescriptionStatic,
    inputAt: signPrescriptionInput,
    access: ['doctor'],
    description:
      'Sign a prescription with the doctor’s password; allergy warnings need a reason; signed ones never change.',
    audit: 'personal-write',
    perMinute: 20,
  }),
  'prescriptions.get': channel<Prescription>()({
    input: z.strictObject({ id: idInput }),
    access: ['doctor'],
    description: 'One signed prescription, with the version that replaced it if any.',
    audit: 'personal-read',
    perMinute: 120,
  }),
  'prescriptions.pdf': channel<PrintableDocument>()({
    input: z.strictObject({ id: idInput }),
    access: ['doctor'],
    description: 'The printable prescription (PDF) with its digest as text and as a QR code.',
    audit: 'personal-read',
    perMinute: 60,
  }),
  'attachments.begin': channel<{ uploadId: string }>()({
    input: attachmentBeginInput,
    access: ['doctor'],
    description: 'Start uploading a lab report, image or PDF (up to 25 MB) for a patient.',
    audit: 'none',
    perMinute: 30,
  }),
  'attachments.upload': channel<{ received: number }>()({
    input: attachmentPieceInput,
    access: ['doctor'],
    description: 'One piece (up to 1 MiB) of an upload, in order.',
    audit: 'none',
    perMinute: 600,
  }),
  'attachments.finish': channel<AttachmentInfo>()({
    input: z.strictObject({ uploadId: idInput }),
    access: ['doctor'],
    description: 'Check the upload’s type by its first bytes, encrypt it in chunks and file it in the chart.',
    audit: 'personal-write',
    perMinute: 30,
  }),
  'attachments.read': channel<AttachmentPiece>()({
    input: z.strictObject({ id: idInput, index: z.number().int().min(0).max(25) }),
    access: ['doctor'],
    description: 'One decrypted piece (up to 1 MiB) of an attachment, for preview or download.',
    audit: 'personal-read',
    perMinute: 600,
  }),
  'auth.verifySecondFactor': channel<SessionInfo>()({
    input: z.strictObject({ code: secondFactorCodeInput }),
    access: 'any',
    beforeSecondFactor: ['second-factor'],
    description:
      'Finish logging in with a 6-digit TOTP code or a single-use recovery code; failures count towards the lockout.',
    audit: 'auth',
    perMinute: 20,
  }),
  'auth.beginTotpEnrollment': channel<TotpEnrollment>()({
    input: emptyInput,
    access: 'any',
    beforeSecondFactor: ['enroll-second-factor'],
    description:
      'Start setting up an authenticator app: a new key as a QR address and as text, until confirmed.',
    audit: 'auth',
    perMinute: 10,
  }),
  'auth.confirmTotpEnrollment': channel<TotpConfirmation>()({
    input: z.strictObject({ code: totpCodeInput }),
    access: 'any',
    beforeSecondFactor: ['enroll-second-factor'],
    description: 'Confirm the authenticator app with its current code; returns ten recovery codes, once.',
    audit: 'auth',
    perMinute: 20,
  }),
  'staff.resetSecondFactor': channel<StaffDetail>()({
    input: z.strictObject({ id: idInput }),
    access: ['admin'],
    description:
      'Remove another staff member’s second factor (lost phone); they set it up again at next login.',
    audit: 'admin',
    perMinute: 30,
  }),
  'settings.setSecondFactorRoles': channel<ClinicSettings>()({
    input: z.strictObject({
      roles: z.array(roleInput, { error: 'Expected a list of roles' }).max(3, { error: 'At most 3 roles' }),
    }),
    access: ['admin'],
    description: 'Choose which roles must sign in with a second factor.',
    audit: 'admin',
    perMinute: 30,
  }),
  'keys.status': channel<KeyStatus>()({
    input: emptyInput,
    access: ['admin'],
    description: 'Clinic data key versions, the active one, and the progress of a rotation.',
    audit: 'none',
    perMinute: 600,
  }),
  'keys.rotate': channel<KeyStatus>()({
    input: emptyInput,
    access: ['admin'],
    description: 'Make a new clinic data key version and re-encrypt everything under it in the background.',
    audit: 'admin',
    perMinute: 5,
  }),
  'keys.exportRecoveryKit': channel<{ fileName: string; base64: string; versions: number[] }>()({
    input: z.strictObject({ passphrase: passwordInput }),
    access: ['admin'],
    description: 'The clinic data key ring wrapped under a recovery passphrase, as a file to keep offline.',
    audit: 'admin',
    perMinute: 20,
  }),
  'backup.status': channel<BackupStatus>()({
    input: emptyInput,
    access: ['admin'],
    description:
      'Backup schedule, whether a passphrase is set, the running backup’s progress and the last run.',
    audit: 'none',
    perMinute: 600,
  }),
  'backup.configure': channel<BackupStatus>()({
    input: backupConfigureInput,
    access: ['admin'],
    description:
      'Set the daily backup folder, how many to keep, on or off, and (optionally) a new passphrase.',
    audit: 'admin',
    perMinute: 10,
  }),
  'backup.runNow': channel<BackupCreated>()({
    input: backupRunInput,
    access: ['admin'],
    description:
      'Write an encrypted backup now: to the schedule’s folder, or to a folder with a passphrase given here.',
    audit: 'admin',
    perMinute: 10,
  }),
  'backup.verify': channel<BackupCheck>()({
    input: backupVerifyInput,
    access: ['admin'],
    description: 'Decrypt a backup file with its passphrase and check every digest, without restoring it.',
    audit: 'admin',
    perMinute: 10,
  }),
  'audit.list': channel<AuditPage>()({
    input: auditListInput,
    access: ['admin'],
    description: 'The audit trail, newest first, filtered by user, patient, action and dates, in pages.',
    audit: 'admin',
    perMinute: 300,
  }),
  'audit.exportCsv': channel<AuditCsv>()({
    input: auditExportInput,
    access: ['admin'],
    description: 'The filtered audit trail as CSV (ids, no patient names), up to 50,000 events.',
    audit: 'admin',
    perMinute: 10,
  }),
  'security.summary': channel<SecuritySummary>()({
    input: securitySummaryInput,
    access: ['admin'],
    description: 'Security events per day and kind over the last days (at most 90).',
    audit: 'admin',
    perMinute: 120,
  }),
  'security.list': channel<SecurityPage>()({
    input: securityListInput,
    access: ['admin'],
    description: 'Security events, newest first, by kind and acknowledgement, without payloads.',
    audit: 'admin',
    perMinute: 300,
  }),
  'security.acknowledge': channel<{ acknowledged: number }>()({
    input: securityAcknowledgeInput,
    access: ['admin'],
    description: 'Mark security events as seen by this admin (at most 500 at once).',
    audit: 'admin',
    perMinute: 60,
  }),
  // Each later area keeps its channels in its own file (issue 7 on).
  ...billingContract,
  ...interopContract,
  ...referralContract,
} as const satisfies Record<string, ChannelDef>;

export type { Access, AuditKind, ChannelDef };
export type Contract = typeof contract;
export type Channel = keyof Contract;
export type InputOf<C extends Channel> = z.input<Contract[C]['input']>;
export type ParsedInputOf<C extends Channel> = z.output<Contract[C]['input']>;
export type OutputOf<C extends Channel> =
  NonNullable<Contract[C]['output']> extends never ? null : Exclude<Contract[C]['output'], undefined>;

export const CHANNELS = Object.keys(contract) as Channel[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.hasOwn(contract, name);
}

/** The bridge as the renderer sees it: one method per channel. */
export type KavachBridge = {
  [C in Channel]: (payload: InputOf<C>) => Promise<import('./result.js').Result<OutputOf<C>>>;
};

/** keys.status: the clinic data key ring and the rotation job (admin → Keys). */
export interface KeyStatus {
  versions: { version: number; status: 'active' | 'retired'; createdAt: number }[];
  active: number;
  recoveryKitExportedAt: number | null;
  /** This workstation syncs: a rotation syncs first and sends the new key to the other workstations. */
  syncConnected: boolean;
  rotation: {
    to: number;
    from: number[];
    phase: 'fields' | 'index' | 'retire' | 'done' | 'stuck';
    running: boolean;
    startedAt: number;
    finishedAt: number | null;
    pass: number;
    /** Rows walked per table ('attachment files' counts files). */
    tables: { name: string; done: number; total: number }[];
    done: number;
    total: number;
    resealed: number;
    unreadable: number;
    message: string | null;
  } | null;
}
