import { z } from 'zod';
import { calendarDateInput } from './patient.js';
import { idInput, singleLine } from './text.js';

/** The admin's audit viewer and security dashboard: shapes shared by main and renderer. */

export type AuditDetail = Record<string, string | number | boolean | string[] | null>;

export interface AuditRow {
  seq: number;
  at: number;
  userId: string | null;
  /** The staff member's display name, or null for events with no actor (a joining workstation). */
  userName: string | null;
  role: string | null;
  action: string;
  outcome: 'ok' | 'denied' | 'failed';
  subjectType: string | null;
  subjectId: string | null;
  /** Ids, counts and field names only: the trail never holds patient data. */
  detail: AuditDetail;
}

export interface AuditPage {
  rows: AuditRow[];
  /** Pass back as `cursor` for the next (older) page; null when this was the last. */
  nextCursor: number | null;
}

export interface AuditCsv {
  fileName: string;
  mime: 'text/csv';
  base64: string;
  rows: number;
  /** True when more events matched than one export carries. */
  truncated: boolean;
}

/** audit.verify's answer, with the time and action of the first broken event. */
export interface AuditChainResult {
  ok: boolean;
  checked: number;
  firstBroken: { seq: number; reason: string; at?: number; action?: string } | null;
}

export const SECURITY_KINDS = [
  'injection-detected',
  'login-failed',
  'account-locked',
  'rate-limited',
  'decryption-failed',
  'role-refused',
  'bad-sender',
  'clock-drift',
  'signature-refused',
  'other',
] as const;
export type SecurityKindName = (typeof SECURITY_KINDS)[number];

export const SECURITY_KIND_LABELS: Record<SecurityKindName, string> = {
  'injection-detected': 'Injection detected',
  'login-failed': 'Login failed',
  'account-locked': 'Account locked',
  'rate-limited': 'Rate limited',
  'decryption-failed': 'Decryption failed',
  'role-refused': 'Role refused',
  'bad-sender': 'Bad sender',
  'clock-drift': 'Clock drift',
  'signature-refused': 'Signature refused',
  other: 'Other',
};

export interface SecurityDay {
  /** 'YYYY-MM-DD' in the workstation's zone. */
  date: string;
  counts: Record<SecurityKindName, number>;
  total: number;
}

export interface SecuritySummary {
  from: string;
  to: string;
  days: SecurityDay[];
  totals: Record<SecurityKindName, number>;
  unacknowledged: number;
}

export interface SecurityEventRow {
  id: number;
  at: number;
  kind: string;
  channel: string | null;
  userId: string | null;
  userName: string | null;
  /** Field paths, categories, counts: never the payload that triggered the event. */
  detail: AuditDetail;
  acknowledgedAt: number | null;
  acknowledgedByName: string | null;
}

export interface SecurityPage {
  rows: SecurityEventRow[];
  nextCursor: number | null;
}

const cursorInput = z
  .number({ error: 'Expected a number' })
  .int({ error: 'Expected a whole number' })
  .min(1, { error: 'Expected a positive number' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'Too large' })
  .nullable();

const limitInput = z
  .number({ error: 'Expected a number' })
  .int({ error: 'Expected a whole number' })
  .min(1, { error: 'At least 1' })
  .max(200, { error: 'At most 200' });

/** Audit actions are channel names such as 'patients.get' or 'auth.login'. */
const ACTION_NAME = /^[a-z][A-Za-z]*(\.[A-Za-z][A-Za-z-]*)+$/;
const actionInput = singleLine({ min: 1, max: 64 })
  .refine((s) => ACTION_NAME.test(s), { error: 'Choose an action from the list' })
  .nullable();

const auditFilterShape = {
  userId: idInput.nullable(),
  patientId: idInput.nullable(),
  action: actionInput,
  from: calendarDateInput.nullable(),
  to: calendarDateInput.nullable(),
};

const dateOrder = {
  error: 'The end date is before the start date',
  path: ['to'],
};
const ordered = (v: { from: string | null; to: string | null }) =>
  v.from === null || v.to === null || v.from <= v.to;

export const auditListInput = z
  .strictObject({ ...auditFilterShape, cursor: cursorInput, limit: limitInput })
  .refine(ordered, dateOrder);

export const auditExportInput = z.strictObject(auditFilterShape).refine(ordered, dateOrder);

export const securitySummaryInput = z.strictObject({
  days: z
    .number({ error: 'Expected a number' })
    .int({ error: 'Whole days' })
    .min(1, { error: 'At least 1 day' })
    .max(90, { error: 'At most 90 days' }),
});

export const securityListInput = z.strictObject({
  kind: z.enum(SECURITY_KINDS, { error: 'Choose a kind from the list' }).nullable(),
  acknowledged: z.boolean({ error: 'Expected true or false' }).nullable(),
  cursor: cursorInput,
  limit: limitInput,
});

export const securityAcknowledgeInput = z.strictObject({
  ids: z
    .array(
      z
        .number({ error: 'Expected an event number' })
        .int({ error: 'Expected an event number' })
        .min(1, { error: 'Expected an event number' })
        .max(Number.MAX_SAFE_INTEGER, { error: 'Expected an event number' }),
      { error: 'Expected a list of event numbers' },
    )
    .min(1, { error: 'Choose at least one event' })
    .max(500, { error: 'At most 500 events at once' }),
});

/** Most events one CSV export carries. */
export const MAX_EXPORT_ROWS = 50_000;
