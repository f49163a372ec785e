import type { Role } from './roles.js';

export type SessionState = 'anonymous' | 'active' | 'locked';

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
}

export interface StaffDetail extends StaffSummary {
  doctor: DoctorProfile | null;
}

export interface ClinicSettings {
  clinicName: string;
  idleMinutes: number;
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
  /** Visits arrive with the queue; null until then. */
  lastVisit: string | null;
}

export type RegistrationResult =
  | { status: 'registered'; id: string; patientNumber: string }
  | { status: 'possible-duplicates'; candidates: (PatientSummary & { reasons: string[] })[] };
