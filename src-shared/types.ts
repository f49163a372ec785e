import type { PatientInput } from './patient.js';
import type { Role } from './roles.js';

export type SessionState = 'anonymous' | 'active' | 'locked' | SecondFactorStage;

/** Password accepted, second factor not yet: only the channels of this stage (and logout)
 *  answer. 'second-factor': enter a TOTP or recovery code; 'enroll-second-factor': the
 *  role requires a factor the user has not set up yet. */
export type SecondFactorStage = 'second-factor' | 'enroll-second-factor';

/** All the renderer ever learns about who is logged in. */
export interface SessionUser {
  displayName: string;
  role: Role;
}

export interface SessionInfo {
  state: SessionState;
  user: SessionUser | null;
  idleMinutes: number;
}

export interface SetupStatus {
  needsSetup: boolean;
  clinicName: string | null;
}

export interface DoctorProfile {
  registrationNumber: string;
  department: string;
  specialization: string;
  yearsOfExperience: number | null;
  contactNumber: string;
  availabilityNote: string;
}

export interface StaffSummary {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  active: boolean;
  lockedUntil: string | null;
  /** A TOTP second factor is set up (confirmed). */
  secondFactor: boolean;
}

export interface StaffDetail extends StaffSummary {
  doctor: DoctorProfile | null;
}

export interface ClinicSettings {
  clinicName: string;
  idleMinutes: number;
  /** Roles that must sign in with a second factor. */
  secondFactorRoles: Role[];
}

/** Shown once, while enrolling: the authenticator app's otpauth:// address (drawn as a QR
 *  code) and the same key in base32 for typing in by hand. */
export interface TotpEnrollment {
  uri: string;
  secret: string;
}

export interface TotpConfirmation {
  /** The ten single-use recovery codes, shown this once and stored only hashed. */
  recoveryCodes: string[];
  session: SessionInfo;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstBroken: { seq: number; reason: string } | null;
}

export interface PatientSummary {
  id: string;
  patientNumber: string;
  name: string;
  ageYears: number;
  ageEstimated: boolean;
  sex: 'female' | 'male' | 'other' | 'unknown';
  /** Always masked as 'XXXX XXXX 1234'; '' when none was recorded. */
  nationalIdMasked: string;
  /** Date ('YYYY-MM-DD') of the most recent visit that was not cancelled; null if none. */
  lastVisit: string | null;
}

export type RegistrationResult =
  | { status: 'registered'; id: string; patientNumber: string }
  | { status: 'possible-duplicates'; candidates: (PatientSummary & { reasons: string[] })[] };

/** A patient's whole record as reception and the doctor see it. The Aadhaar number stays
 *  masked; the full number only comes through the audited reveal channel. */
export interface PatientRecord extends Omit<PatientInput, 'birth' | 'nationalId'> {
  id: string;
  patientNumber: string;
  birth: { kind: 'exact' | 'approximate'; date: string };
  ageYears: number;
  nationalIdMasked: string;
  hasPhoto: boolean;
  lastVisit: string | null;
  createdAt: number;
  updatedAt: number;
}

/** One earlier or current value of a patient field, for the admin's history view. */
export interface FieldHistoryEntry {
  field: string;
  at: number;
  byName: string;
  /** The value as it was set, rendered as text (Aadhaar masked). */
  value: string;
  kind: 'registered' | 'corrected';
}

export interface PatientPhoto {
  mime: 'image/jpeg' | 'image/png';
  base64: string;
}

export interface PrintableDocument {
  fileName: string;
  mime: 'application/pdf';
  base64: string;
}

export const VISIT_STATUSES = ['waiting', 'with-doctor', 'done', 'left', 'cancelled'] as const;
export type VisitStatus = (typeof VISIT_STATUSES)[number];
export const PRIORITIES = ['emergency', 'urgent', 'routine'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface VisitSummary {
  id: string;
  /** The day's token number on this workstation, printed on the slip and called out. */
  token: number;
  day: string;
  patientId: string;
  patientNumber: string;
  patientName: string;
  ageYears: number;
  sex: PatientSummary['sex'];
  /** null: "next available doctor". */
  doctorId: string | null;
  doctorName: string | null;
  reason: string;
  priority: Priority;
  status: VisitStatus;
  checkedInAt: number;
  statusChangedAt: number;
  /** Minutes from check-in until now (or until the doctor called the patient). */
  waitingMinutes: number;
  appointmentId: string | null;
}

export interface QueueCount {
  doctorId: string | null;
  doctorName: string;
  waiting: number;
  withDoctor: number;
}

export interface QueueView {
  day: string;
  visits: VisitSummary[];
  counts: QueueCount[];
}

export interface DoctorOption {
  id: string;
  displayName: string;
  department: string;
  onLeaveToday: boolean;
}

export interface WeeklyHours {
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  start: string;
  end: string;
}

export interface DoctorSchedule {
  doctorId: string;
  slotMinutes: number;
  weekly: WeeklyHours[];
  leave: { date: string; note: string }[];
}

export interface Slot {
  start: string;
  end: string;
  free: boolean;
  appointmentIds: string[];
}

export interface DaySlots {
  date: string;
  onLeave: boolean;
  slots: Slot[];
}

export type AppointmentStatus = 'booked' | 'cancelled' | 'checked-in';

export interface Appointment {
  id: string;
  doctorId: string;
  doctorName: string;
  patientId: string;
  patientNumber: string;
  patientName: string;
  date: string;
  start: string;
  end: string;
  reason: string;
  status: AppointmentStatus;
  visitId: string | null;
  /** Overlaps another live booking for the same doctor (it arrived from another
   *  workstation through sync): reception must resolve it. */
  conflict: boolean;
}

export type SyncState = 'not-configured' | 'syncing' | 'online' | 'offline' | 'error';

/** What the status bar and the admin Sync page show. Errors are in words, never a stack. */
export interface SyncStatus {
  state: SyncState;
  serverUrl: string | null;
  deviceName: string | null;
  /** When the last pass reached the server and finished (ms since epoch). */
  lastSyncAt: number | null;
  /** Local changes not yet acknowledged by the server. */
  pending: number;
  /**
   * Received changes kept, not applied yet: a clock far ahead of this one's, a key version
   * whose wrap has not arrived, or a table or column only a newer Kavach knows.
   */
  held: number;
  error: string | null;
  /** During a first (resumable, paged) sync: changes applied of those known. */
  initialSync: { applied: number; total: number } | null;
}

export interface EnrollmentCode {
  /** Shown once, in groups of four; give it to the person setting up the new workstation. */
  code: string;
  expiresAt: number;
}

export interface SyncDevice {
  id: string;
  name: string;
  enrolledAt: number;
  lastSeenAt: number | null;
  revokedAt: number | null;
  self: boolean;
}

/** A concurrent edit of clinical free text that lost last-writer-wins, kept for review. */
export interface ConflictCopy {
  id: string;
  table: string;
  rowId: string;
  column: string;
  /** The losing text. */
  text: string;
  at: number;
}
