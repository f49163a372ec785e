import {
  type AuditCsv,
  type AuditDetail,
  type AuditPage,
  type AuditRow,
  MAX_EXPORT_ROWS,
  SECURITY_KINDS,
  type SecurityKindName,
  type SecurityPage,
  type SecuritySummary,
} from '../../src-shared/audit.js';
import type { ParsedInputOf } from '../../src-shared/contract.js';
import { addDays } from '../../src-shared/schedule.js';
import type { ChainedAudit } from '../audit/chain.js';
import { csvLine } from '../audit/csv.js';
import type { Handlers, Services } from '../ipc/handler-types.js';
import type { AuditFilter } from '../store/audit-repo.js';

type AdminChannels =
  | 'audit.list'
  | 'audit.exportCsv'
  | 'security.summary'
  | 'security.list'
  | 'security.acknowledge';

/** 'YYYY-MM-DD' to the epoch ms of that day's local midnight. */
function startOfDay(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d).getTime();
}

function filterOf(input: ParsedInputOf<'audit.exportCsv'>): AuditFilter {
  return {
    userId: input.userId,
    patientId: input.patientId,
    action: input.action,
    fromMs: input.from === null ? null : startOfDay(input.from),
    toMs: input.to === null ? null : startOfDay(addDays(input.to, 1)),
  };
}

/** What the admin asked for, for the audit event of the query itself. `patientFilter`, not
 *  `patient`, so a look at a patient's trail is not itself counted as touching the patient. */
function filterDetail(input: ParsedInputOf<'audit.exportCsv'>): AuditDetail {
  return {
    userFilter: input.userId,
    patientFilter: input.patientId,
    actionFilter: input.action,
    from: input.from,
    to: input.to,
  };
}

function staffNames(s: Services): Map<string, string> {
  return new Map(s.users.list(true).map((u) => [u.id, u.displayName]));
}

function parseDetail(text: string): AuditDetail {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as AuditDetail) : {};
  } catch {
    return {};
  }
}

function toRow(e: ChainedAudit, names: Map<string, string>): AuditRow {
  return {
    seq: e.seq,
    at: e.at,
    userId: e.actorUserId,
    userName: e.actorUserId === null ? null : (names.get(e.actorUserId) ?? null),
    role: e.actorRole,
    action: e.action,
    outcome: e.outcome,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    detail: parseDetail(e.detail),
  };
}

const CSV_HEADER = [
  'seq',
  'time_utc',
  'user',
  'user_id',
  'role',
  'action',
  'outcome',
  'subject_type',
  'subject_id',
  'detail',
];

function csvOf(e: ChainedAudit, names: Map<string, string>): string {
  const name = e.actorUserId === null ? '' : (names.get(e.actorUserId) ?? '');
  return csvLine([
    e.seq,
    new Date(e.at).toISOString(),
    name,
    e.actorUserId,
    e.actorRole,
    e.action,
    e.outcome,
    e.subjectType,
    e.subjectId,
    e.detail,
  ]);
}

function kindGroup(kind: string): SecurityKindName {
  return (SECURITY_KINDS as readonly string[]).includes(kind) ? (kind as SecurityKindName) : 'other';
}

function zeroCounts(): Record<SecurityKindName, number> {
  return Object.fromEntries(SECURITY_KINDS.map((k) => [k, 0])) as Record<SecurityKindName, number>;
}

const PAGE = 1000;

export const adminHandlers: Pick<Handlers, AdminChannels> = {
  'audit.list': ({ services: s, subject }, input): AuditPage => {
    const events = s.audit.list(filterOf(input), input.cursor, input.limit + 1);
    const more = events.length > input.limit;
    const page = more ? events.slice(0, input.limit) : events;
    const names = staffNames(s);
    subject('audit', 'list', { ...filterDetail(input), rows: page.length });
    return { rows: page.map((e) => toRow(e, names)), nextCursor: more ? page[page.length - 1]!.seq : null };
  },

  'audit.exportCsv': ({ services: s, subject }, input): AuditCsv => {
    const filter = filterOf(input);
    const names = staffNames(s);
    const parts = [csvLine(CSV_HEADER)];
    let cursor: number | null = null;
    let rows = 0;
    let truncated = false;
    for (;;) {
      const page = s.audit.list(filter, cursor, PAGE);
      for (const e of page) {
        if (rows === MAX_EXPORT_ROWS) {
          truncated = true;
          break;
        }
        parts.push(csvOf(e, names));
        rows++;
      }
      if (truncated || page.length < PAGE) break;
      cursor = page[page.length - 1]!.seq;
    }
    subject('audit', 'export', { ...filterDetail(input), rows, truncated });
    const stamp = new Date(s.now()).toISOString().slice(0, 19).replaceAll(':', '-');
    return {
      fileName: `kavach-audit-${stamp}.csv`,
      mime: 'text/csv',
      base64: Buffer.from(parts.join(''), 'utf8').toString('base64'),
      rows,
      truncated,
    };
  },

  'security.summary': ({ services: s, subject }, input): SecuritySummary => {
    const to = s.today();
    const from = addDays(to, 1 - input.days);
    const fromMs = startOfDay(from);
    const days = new Map<string, Record<SecurityKindName, number>>();
    for (let d = from; d <= to; d = addDays(d, 1)) days.set(d, zeroCounts());
    const totals = zeroCounts();
    for (const { day, kind, n } of s.security.perDay(fromMs)) {
      const counts = days.get(day);
      if (!counts) continue; // recorded under a clock that has since moved back
      const k = kindGroup(kind);
      counts[k] += n;
      totals[k] += n;
    }
    subject('security', 'summary', { days: input.days });
    return {
      from,
      to,
      days: [...days].map(([date, counts]) => ({
        date,
        counts,
        total: Object.values(counts).reduce((a, b) => a + b, 0),
      })),
      totals,
      unacknowledged: s.security.unacknowledged(fromMs),
    };
  },

  'security.list': ({ services: s, subject }, input): SecurityPage => {
    const known = SECURITY_KINDS.filter((k) => k !== 'other');
    const events = s.security.list(
      { kind: input.kind, known, acknowledged: input.acknowledged },
      input.cursor,
      input.limit + 1,
    );
    const more = events.length > input.limit;
    const page = more ? events.slice(0, input.limit) : events;
    const names = staffNames(s);
    const nameOf = (id: string | null) => (id === null ? null : (names.get(id) ?? null));
    subject('security', 'list', { kind: input.kind, acknowledged: input.acknowledged, rows: page.length });
    return {
      rows: page.map((e) => ({
        id: e.id,
        at: e.at,
        kind: e.kind,
        channel: e.channel,
        userId: e.userId,
        userName: nameOf(e.userId),
        detail: parseDetail(e.detail),
        acknowledgedAt: e.acknowledgedAt,
        acknowledgedByName: nameOf(e.acknowledgedBy),
      })),
      nextCursor: more ? page[page.length - 1]!.id : null,
    };
  },

  'security.acknowledge': ({ services: s, session, subject }, input) => {
    const ids = [...new Set(input.ids)];
    const changed = s.security.acknowledge(ids, session.userId!, s.now());
    subject('security-events', String(ids[0]), {
      ids: changed.map(String),
      requested: ids.length,
      acknowledged: changed.length,
    });
    return { acknowledged: changed.length };
  },
};
