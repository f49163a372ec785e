import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditPage, AuditRow, SecurityKindName } from '../../src-shared/audit.js';
import type { InputOf } from '../../src-shared/contract.js';
import { todayIso } from '../../src-shared/patient.js';
import { csvCell } from '../audit/csv.js';
import type { Connection } from '../core-types.js';
import { ADMIN, call, type HarnessCore, loginAs, must, startCore } from '../testing/core-harness.js';

const DAY = 86_400_000;
const DESK_PASSWORD = 'marigold-window-5';
/** A display name a spreadsheet would run as a formula, with a comma and quotes in it. */
const FORMULA_NAME = '=HYPERLINK("x"), Rao';

let h: HarnessCore;
let admin: Connection;
let desk: Connection;
let deskId: string;
let p1: string;
let p2: string;
let days: string[];

interface StoredEvent {
  seq: number;
  at: number;
  actor_user_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  detail: string;
}

function stored(): StoredEvent[] {
  const db = new Database(join(h.dataDir, 'kavach.db'), { readonly: true });
  try {
    return db.prepare('SELECT * FROM audit_events ORDER BY seq DESC').all() as StoredEvent[];
  } finally {
    db.close();
  }
}

type Filter = InputOf<'audit.exportCsv'>;
const NO_FILTER: Filter = { userId: null, patientId: null, action: null, from: null, to: null };

/** Every page of audit.list for a filter, oldest page last. */
async function listAll(filter: Filter, limit = 200): Promise<AuditRow[]> {
  const rows: AuditRow[] = [];
  let cursor: number | null = null;
  for (;;) {
    const page: AuditPage = must(await call(admin, 'audit.list', { ...filter, cursor, limit }));
    rows.push(...page.rows);
    if (page.nextCursor === null) return rows;
    cursor = page.nextCursor;
  }
}

async function registerPatient(givenNames: string, phone: string): Promise<string> {
  const r = must(
    await call(desk, 'patients.register', {
      patient: {
        givenNames,
        familyName: 'Menon',
        sex: 'female',
        birth: { kind: 'exact', date: '1990-05-17' },
        phones: [{ number: phone, label: 'mobile' }],
        allergies: [],
      },
      decision: 'register-new',
    }),
  );
  if (r.status !== 'registered') throw new Error('setup: not registered');
  return r.id;
}

/** A small CSV reader (RFC 4180): quoted cells, doubled quotes, CRLF or LF inside quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** A day later; the idle lock has closed both sessions by then, so both sign in again. */
async function nextDay(): Promise<void> {
  h.clock.advance(DAY);
  days.push(todayIso(h.clock.now()));
  admin.close();
  desk.close();
  admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
  desk = await loginAs(h.core, 'desk', DESK_PASSWORD);
}

beforeAll(async () => {
  h = await startCore();
  admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
  deskId = must(
    await call(admin, 'staff.create', {
      username: 'desk',
      displayName: FORMULA_NAME,
      role: 'receptionist',
      password: DESK_PASSWORD,
    }),
  ).id;
  desk = await loginAs(h.core, 'desk', DESK_PASSWORD);
  // Three days of activity: two patients registered, opened and checked in.
  days = [todayIso(h.clock.now())];
  p1 = await registerPatient('Asha', '9847012001');
  must(await call(desk, 'patients.get', { id: p1 }));
  await nextDay();
  p2 = await registerPatient('Bindu', '9847012002');
  must(await call(desk, 'patients.get', { id: p2 }));
  must(
    await call(desk, 'visits.checkIn', {
      patientId: p1,
      doctorId: null,
      reason: 'Fever',
      priority: 'routine',
    }),
  );
  await nextDay();
  must(await call(desk, 'patients.get', { id: p1 }));
  must(await call(admin, 'settings.update', { clinicName: 'Sushrut Clinic', idleMinutes: 10 }));
});

afterAll(async () => {
  await h.close();
});

describe('audit.list', () => {
  it('filters by user, action, patient and dates to exactly the matching events', async () => {
    const all = stored();
    const seqs = (rows: { seq: number }[]) => rows.map((r) => r.seq);

    const byDesk = await listAll({ ...NO_FILTER, userId: deskId });
    expect(seqs(byDesk)).toEqual(seqs(all.filter((e) => e.actor_user_id === deskId)));
    expect(byDesk.length).toBeGreaterThan(5);
    expect(byDesk.every((r) => r.userName === FORMULA_NAME)).toBe(true);

    const opened = await listAll({ ...NO_FILTER, action: 'patients.get' });
    expect(seqs(opened)).toEqual(seqs(all.filter((e) => e.action === 'patients.get')));
    expect(opened).toHaveLength(3);

    const aboutP1 = await listAll({ ...NO_FILTER, patientId: p1 });
    const namesP1 = (e: StoredEvent) =>
      (e.subject_type === 'patient' && e.subject_id === p1) ||
      (JSON.parse(e.detail) as { patient?: string }).patient === p1;
    expect(seqs(aboutP1)).toEqual(seqs(all.filter(namesP1)));
    // registered, opened twice and checked in (the visit's detail names the patient)
    expect(aboutP1.map((r) => r.action).sort()).toEqual(
      ['patients.get', 'patients.get', 'patients.register', 'visits.checkIn'].sort(),
    );
    expect(aboutP1.some((r) => r.subjectId === p2)).toBe(false);

    const secondDay = await listAll({ ...NO_FILTER, from: days[1]!, to: days[1]! });
    expect(seqs(secondDay)).toEqual(seqs(all.filter((e) => todayIso(e.at) === days[1])));
    expect(secondDay.map((r) => r.action)).toContain('visits.checkIn');
    expect(secondDay.map((r) => r.action)).not.toContain('settings.update');

    const combined = await listAll({
      userId: deskId,
      patientId: p1,
      action: 'patients.get',
      from: days[2]!,
      to: null,
    });
    expect(combined).toHaveLength(1);
  });

  it('pages newest first with a cursor, every event exactly once', async () => {
    const before = seqsOf(stored());
    const seen: number[] = [];
    let cursor: number | null = null;
    let pages = 0;
    do {
      const page: AuditPage = must(await call(admin, 'audit.list', { ...NO_FILTER, cursor, limit: 4 }));
      expect(page.rows.length).toBeLessThanOrEqual(4);
      seen.push(...page.rows.map((r) => r.seq));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(seen).toEqual(before);
    expect(pages).toBe(Math.ceil(before.length / 4));
  });

  it('refuses bad filters with a field error and is for admins only', async () => {
    const bad = await call(admin, 'audit.list', {
      ...NO_FILTER,
      from: days[2]!,
      to: days[0]!,
      cursor: null,
      limit: 10,
    });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', fields: { to: expect.any(String) } },
    });
    const tooMany = await call(admin, 'audit.list', { ...NO_FILTER, cursor: null, limit: 201 });
    expect(tooMany).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', fields: { limit: 'At most 200' } },
    });
    const refused = await call(desk, 'audit.list', { ...NO_FILTER, cursor: null, limit: 10 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

function seqsOf(events: { seq: number }[]): number[] {
  return events.map((e) => e.seq);
}

describe('audit.exportCsv', () => {
  it('parses back to the listed rows, quoted, with formulas neutralised', async () => {
    const filter = { ...NO_FILTER, userId: deskId };
    const listed = await listAll(filter);
    const csv = must(await call(admin, 'audit.exportCsv', filter));
    expect(csv.mime).toBe('text/csv');
    expect(csv.fileName).toMatch(/^kavach-audit-.*\.csv$/);
    const text = Buffer.from(csv.base64, 'base64').toString('utf8');
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([
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
    ]);
    expect(csv.rows).toBe(listed.length);
    expect(rows).toEqual(
      listed.map((r) => [
        String(r.seq),
        new Date(r.at).toISOString(),
        `'${FORMULA_NAME}`,
        r.userId ?? '',
        r.role ?? '',
        r.action,
        r.outcome,
        r.subjectType ?? '',
        r.subjectId ?? '',
        JSON.stringify(r.detail),
      ]),
    );
    // The raw text holds the name only as a quoted, neutralised cell.
    expect(text).toContain(`"'=HYPERLINK(""x""), Rao"`);
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
    // The trail holds ids, never names: the patients' names are nowhere in the export.
    const everything = Buffer.from(
      must(await call(admin, 'audit.exportCsv', NO_FILTER)).base64,
      'base64',
    ).toString();
    expect(everything).toContain(p1);
    expect(everything).not.toMatch(/Asha|Bindu|Menon|9847012001/);
  });

  it('quotes commas, quotes and newlines and neutralises every formula start', () => {
    const cells = [
      'a,b',
      'say "hi"',
      'line one\r\nline two',
      '=1+2',
      '+1',
      '-1',
      '@SUM(A1)',
      '\tx',
      '\rx',
      'plain',
      '',
    ];
    const line = cells.map(csvCell).join(',');
    expect(parseCsv(`${line}\r\n`)).toEqual([
      [
        'a,b',
        'say "hi"',
        'line one\r\nline two',
        "'=1+2",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        'plain',
        '',
      ],
    ]);
    expect(csvCell(null)).toBe('""');
    expect(csvCell(42)).toBe('"42"');
  });
});

describe('security events', () => {
  const today = () => todayIso(h.clock.now());
  async function todayCounts(): Promise<Record<SecurityKindName, number>> {
    const s = must(await call(admin, 'security.summary', { days: 14 }));
    expect(s.days).toHaveLength(14);
    expect(s.to).toBe(today());
    return s.days.at(-1)!.counts;
  }

  it('counts real refusals per day and kind, lists them without payloads, acknowledges only the chosen', async () => {
    const before = await todayCounts();
    const hostile = "' OR 1=1 --";
    must(await call(desk, 'patients.search', { query: hostile }));
    expect(await call(desk, 'staff.list', { includeInactive: false })).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
    const stranger = h.core.connect();
    for (let i = 0; i < 5; i++) {
      expect(
        (await call(stranger, 'auth.login', { username: 'desk', password: `wrong-guess-${i}` })).ok,
      ).toBe(false);
    }
    const after = await todayCounts();
    const delta = (k: SecurityKindName) => after[k] - before[k];
    expect({
      injection: delta('injection-detected'),
      role: delta('role-refused'),
      failed: delta('login-failed'),
      locked: delta('account-locked'),
      rate: delta('rate-limited'),
    }).toEqual({ injection: 1, role: 1, failed: 5, locked: 1, rate: 0 });

    const injections = must(
      await call(admin, 'security.list', {
        kind: 'injection-detected',
        acknowledged: false,
        cursor: null,
        limit: 50,
      }),
    );
    const mine = injections.rows.find((r) => r.channel === 'patients.search');
    expect(mine).toBeDefined();
    expect(mine!.userName).toBe(FORMULA_NAME);
    expect(mine!.detail).toMatchObject({ fields: ['query'] });
    expect(JSON.stringify(injections)).not.toContain('OR 1=1');

    const unacked = must(
      await call(admin, 'security.list', { kind: null, acknowledged: false, cursor: null, limit: 200 }),
    );
    const ack = must(await call(admin, 'security.acknowledge', { ids: [mine!.id] }));
    expect(ack).toEqual({ acknowledged: 1 });
    const acked = must(
      await call(admin, 'security.list', { kind: null, acknowledged: true, cursor: null, limit: 200 }),
    );
    expect(acked.rows.map((r) => r.id)).toEqual([mine!.id]);
    expect(acked.rows[0]).toMatchObject({
      acknowledgedByName: ADMIN.displayName,
      acknowledgedAt: h.clock.now(),
    });
    const still = must(
      await call(admin, 'security.list', { kind: null, acknowledged: false, cursor: null, limit: 200 }),
    );
    expect(still.rows.map((r) => r.id)).toEqual(
      unacked.rows.map((r) => r.id).filter((id) => id !== mine!.id),
    );

    const audited = await listAll({ ...NO_FILTER, action: 'security.acknowledge' });
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ outcome: 'ok', detail: { ids: [String(mine!.id)], acknowledged: 1 } });
    expect(must(await call(admin, 'security.acknowledge', { ids: [mine!.id] }))).toEqual({ acknowledged: 0 });

    const empty = await call(admin, 'security.acknowledge', { ids: [] });
    expect(empty).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', fields: { ids: 'Choose at least one event' } },
    });
    const tooLong = await call(admin, 'security.summary', { days: 91 });
    expect(tooLong).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', fields: { days: 'At most 90 days' } },
    });
  });
});

describe('audit.verify', () => {
  // Last: it tampers with the file.
  it('names the broken event, with its time and action, after the file was edited directly', async () => {
    const clean = must(await call(admin, 'audit.verify', {}));
    expect(clean.ok).toBe(true);
    expect(clean.checked).toBeGreaterThan(20);
    const victim = stored().find((e) => e.action === 'visits.checkIn')!;
    const db = new Database(join(h.dataDir, 'kavach.db'));
    try {
      db.exec('DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;');
      db.prepare("UPDATE audit_events SET detail = '{}' WHERE seq = ?").run(victim.seq);
    } finally {
      db.close();
    }
    const broken = must(await call(admin, 'audit.verify', {}));
    expect(broken).toMatchObject({
      ok: false,
      checked: victim.seq - 1,
      firstBroken: {
        seq: victim.seq,
        at: victim.at,
        action: 'visits.checkIn',
        reason: expect.stringMatching(/altered/),
      },
    });
  });
});
