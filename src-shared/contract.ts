import { z } from 'zod';
import { ROLES, type Role } from './roles.js';
import {
  emptyInput,
  idInput,
  multiLine,
  passwordInput,
  phoneInput,
  singleLine,
  usernameInput,
} from './text.js';
import { patientInputAt } from './patient.js';
import type {
  AuditVerification,
  ClinicSettings,
  PatientSummary,
  RegistrationResult,
  SessionInfo,
  SetupStatus,
  StaffDetail,
  StaffSummary,
} from './types.js';

/**
 * The IPC contract: every operation the renderer may ask of main, with its strict input
 * schema, who may call it and a one-line description. The preload bridge, the router, the
 * preview transport and the injection tests are all generated from this table.
 */

/** 'public': callable before login. 'any': any logged-in role. Otherwise the listed roles. */
export type Access = 'public' | 'any' | readonly Role[];

/** Which audit record a successful call leaves. */
export type AuditKind = 'none' | 'auth' | 'personal-read' | 'personal-write' | 'admin';

export interface ChannelDef<I extends z.ZodType = z.ZodType, O = unknown> {
  input: I;
  access: Access;
  description: string;
  audit: AuditKind;
  /** Calls allowed per minute per connection. */
  perMinute: number;
  /** Callable while the session is idle-locked (unlock, logout, status). */
  whileLocked?: boolean;
  /** Phantom: the value type on success. */
  readonly output?: O;
}

function channel<O>() {
  return <I extends z.ZodType>(def: Omit<ChannelDef<I, O>, 'output'>): ChannelDef<I, O> => def;
}

const displayName = singleLine({ min: 1, max: 100 });
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
  'audit.verify': channel<AuditVerification>()({
    input: emptyInput,
    access: ['admin'],
    description: 'Check the audit trail’s hash chain and name the first broken link.',
    audit: 'admin',
    perMinute: 10,
  }),
  'patients.register': channel<RegistrationResult>()({
    input: z.strictObject({
      // The shape is checked here; date-of-birth bounds need today's date and are checked
      // again by the handler with the core's clock.
      patient: patientInputAt(null),
      decision: z.enum(['check-duplicates', 'register-new'], { error: 'Choose check-duplicates or register-new' }),
      reviewedCandidates: z.array(idInput).max(50).default([]),
    }),
    access: ['receptionist'],
    description: 'Register a patient; first returns possible duplicates unless reception chose to register as new.',
    audit: 'personal-write',
    perMinute: 60,
  }),
  'patients.search': channel<PatientSummary[]>()({
    input: z.strictObject({ query: singleLine({ min: 2, max: 100 }) }),
    access: ['receptionist', 'doctor'],
    description: 'Find patients by a name prefix, phone, full Aadhaar number or patient number.',
    audit: 'personal-read',
    perMinute: 600,
  }),
} as const satisfies Record<string, ChannelDef>;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type InputOf<C extends Channel> = z.input<Contract[C]['input']>;
export type ParsedInputOf<C extends Channel> = z.output<Contract[C]['input']>;
export type OutputOf<C extends Channel> = NonNullable<Contract[C]['output']> extends never
  ? null
  : Exclude<Contract[C]['output'], undefined>;

export const CHANNELS = Object.keys(contract) as Channel[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.hasOwn(contract, name);
}

/** The bridge as the renderer sees it: one method per channel. */
export type KavachBridge = {
  [C in Channel]: (payload: InputOf<C>) => Promise<import('./result.js').Result<OutputOf<C>>>;
};
