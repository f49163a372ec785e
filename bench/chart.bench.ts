// Chart benchmark (issue 5, "Benchmarks"): opening a patient's chart with 50 past visits,
// each with a finished consultation and a signed two-item prescription, plus allergies,
// conditions, medications and attachments, everything decrypted, through the real router
// (schema check, role check, audit event). Baseline in the same process: the same chart
// content kept as plaintext JSON rows in SQLite, read and parsed with no decryption and no
// audit. Start it through scripts/bench.mjs (real keytar needs the D-Bus session):
//   node scripts/bench.mjs chart [--visits N] [--samples N]
// Prints only timings and counts: never patient data or keys.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { ADMIN, call, loginAs, must, startCore } from '../src-main/testing/core-harness.js';
import type { PatientChart, TypedVitals } from '../src-shared/clinical/chart.js';
import { Samples, table } from './report.js';

interface Options {
  visits: number;
  samples: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { visits: 50, samples: 300 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = Number(argv[i + 1]);
    if ((a === '--visits' || a === '--samples') && Number.isInteger(v) && v > 0) {
      o[a === '--visits' ? 'visits' : 'samples'] = v;
      i++;
    } else throw new Error(`Unknown option ${a}. Use --visits N, --samples N.`);
  }
  return o;
}

const say = (line: string) => process.stderr.write(`${line}\n`);
const DAY = 86_400_000;
const VITALS: TypedVitals = {
  systolicMmHg: '132',
  diastolicMmHg: '86',
  pulsePerMin: '84',
  temperatureC: '37.1',
  spo2Percent: '98',
  respiratoryRatePerMin: '16',
  weightKg: '72.4',
  heightCm: '168',
};
const ITEMS = [
  {
    medicineId: 'metformin',
    name: '',
    form: 'tablet',
    strength: '500 mg',
    dose: '1 tablet',
    route: 'oral',
    frequency: '1-0-1',
    durationDays: 30,
    quantity: '60 tablets',
    instructions: 'after food',
  },
  {
    medicineId: 'amlodipine',
    name: '',
    form: 'tablet',
    strength: '5 mg',
    dose: '1 tablet',
    route: 'oral',
    frequency: 'OD',
    durationDays: 30,
    quantity: '30 tablets',
    instructions: 'after food',
  },
] as const;

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  say(`chart benchmark: ${o.visits} past visits, ${o.samples} openings; ${cpus().length} CPUs`);
  const h = await startCore();
  const plainDir = mkdtempSync(join(tmpdir(), 'kavach-chart-bench-'));
  try {
    const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    must(
      await call(admin, 'staff.create', {
        username: 'desk',
        displayName: 'Front Desk',
        role: 'receptionist',
        password: 'marigold-window-5',
      }),
    );
    const doctorProfile = {
      registrationNumber: 'KMC-1',
      department: 'Medicine',
      specialization: '',
      yearsOfExperience: 10,
      contactNumber: '',
      availabilityNote: '',
    };
    must(
      await call(admin, 'staff.create', {
        username: 'dr.bench',
        displayName: 'Dr Bench',
        role: 'doctor',
        password: 'banyan-river-77',
        doctor: doctorProfile,
      }),
    );
    let desk = await loginAs(h.core, 'desk', 'marigold-window-5');
    let doctor = await loginAs(h.core, 'dr.bench', 'banyan-river-77');
    const r = must(
      await call(desk, 'patients.register', {
        patient: {
          givenNames: 'Chart',
          familyName: 'Bench',
          sex: 'female',
          birth: { kind: 'exact', date: '1961-02-03' },
          phones: [{ number: '9847000001', label: 'mobile' }],
        },
        decision: 'register-new',
      }),
    );
    if (r.status !== 'registered') throw new Error('registration refused');
    const patientId = r.id;
    for (const details of [
      { kind: 'allergy', substance: 'penicillin', reaction: 'Rash', severity: 'moderate', status: 'active' },
      { kind: 'allergy', substance: 'sulfa', reaction: 'Hives', severity: 'mild', status: 'active' },
      {
        kind: 'condition',
        name: 'Type 2 diabetes mellitus',
        icd10: 'E11.9',
        since: '2012',
        status: 'active',
      },
      { kind: 'condition', name: 'Essential hypertension', icd10: 'I10', since: '2015', status: 'active' },
      { kind: 'medication', name: 'Metformin 500 mg', dose: '1 tablet', frequency: 'BD', status: 'active' },
    ] as const) {
      must(await call(doctor, 'chart.saveItem', { patientId, id: null, details }));
    }
    const t0 = performance.now();
    for (let i = 0; i < o.visits; i++) {
      const visit = must(
        await call(desk, 'visits.checkIn', {
          patientId,
          doctorId: null,
          reason: 'Diabetes review',
          priority: 'routine',
        }),
      );
      must(await call(doctor, 'visits.setStatus', { id: visit.id, status: 'with-doctor' }));
      must(
        await call(doctor, 'consultations.finish', {
          visitId: visit.id,
          complaints: 'Routine review; tiredness in the evenings',
          history: 'Diabetic for 12 years, hypertensive for 9',
          examination: 'Feet: sensation intact. No oedema.',
          vitals: { ...VITALS, weightKg: String(70 + (i % 7)) },
          diagnosis: 'Type 2 diabetes mellitus, controlled',
          icd10: 'E11.9',
          advice: 'Walk 30 minutes a day; reduce sugar',
          followUp: '',
        }),
      );
      must(
        await call(doctor, 'prescriptions.sign', {
          visitId: visit.id,
          previousId: null,
          items: ITEMS.map((x) => ({ ...x })),
          advice: 'Continue',
          followUp: '',
          overrides: [],
          password: 'banyan-river-77',
        }),
      );
      // The next visit on another day: sessions lock when idle, so log in again.
      h.clock.advance(DAY);
      desk = await loginAs(h.core, 'desk', 'marigold-window-5');
      doctor = await loginAs(h.core, 'dr.bench', 'banyan-river-77');
    }
    say(`seeded ${o.visits} visits in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Warm-up, then the measured openings (the clock moves a little, as in use).
    let chart: PatientChart | null = null;
    for (let i = 0; i < 10; i++) chart = must(await call(doctor, 'chart.open', { patientId }));
    if (
      !chart ||
      chart.timeline.length !== o.visits ||
      chart.timeline.some((t) => t.prescriptions.length !== 1 || !t.consultation)
    ) {
      throw new Error('the chart does not hold every visit with its consultation and prescription');
    }
    const kavach = new Samples(o.samples);
    for (let i = 0; i < o.samples; i++) {
      h.clock.advance(1_000);
      const s = performance.now();
      must(await call(doctor, 'chart.open', { patientId }));
      kavach.add(performance.now() - s);
    }

    // Baseline: the same chart content as plaintext JSON rows, read and parsed.
    const Driver = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
    const plain = new Driver(join(plainDir, 'plain.db'));
    plain.pragma('journal_mode = WAL');
    plain.exec(`
      create table items (id text primary key, patient_id text, body text);
      create table visits (id text primary key, patient_id text, day text, body text);
      create table consultations (visit_id text primary key, body text);
      create table prescriptions (id text primary key, patient_id text, visit_id text, body text);
      create index visits_patient on visits (patient_id);
      create index rx_patient on prescriptions (patient_id);`);
    const ins = (sql: string) => plain.prepare(sql);
    plain.transaction(() => {
      for (const it of [...chart.allergies, ...chart.conditions, ...chart.medications])
        ins('insert into items values (?, ?, ?)').run(it.id, patientId, JSON.stringify(it));
      for (const t of chart!.timeline) {
        ins('insert into visits values (?, ?, ?, ?)').run(
          t.visitId,
          patientId,
          t.day,
          JSON.stringify({ status: t.status, reason: t.reason }),
        );
        ins('insert into consultations values (?, ?)').run(t.visitId, JSON.stringify(t.consultation));
        for (const p of t.prescriptions)
          ins('insert into prescriptions values (?, ?, ?, ?)').run(
            p.id,
            patientId,
            t.visitId,
            JSON.stringify(p),
          );
      }
    })();
    const qItems = plain.prepare('select body from items where patient_id = ?');
    const qVisits = plain.prepare('select id, day, body from visits where patient_id = ? order by day desc');
    const qConsult = plain.prepare(
      'select visit_id, body from consultations where visit_id in (select id from visits where patient_id = ?)',
    );
    const qRx = plain.prepare('select visit_id, body from prescriptions where patient_id = ?');
    const baseline = new Samples(o.samples);
    for (let i = 0; i < o.samples + 10; i++) {
      const s = performance.now();
      const items = (qItems.all(patientId) as { body: string }[]).map((x) => JSON.parse(x.body));
      const consult = new Map(
        (qConsult.all(patientId) as { visit_id: string; body: string }[]).map((x) => [
          x.visit_id,
          JSON.parse(x.body),
        ]),
      );
      const rx = (qRx.all(patientId) as { visit_id: string; body: string }[]).map((x) => ({
        visitId: x.visit_id,
        ...JSON.parse(x.body),
      }));
      const visits = (qVisits.all(patientId) as { id: string; day: string; body: string }[]).map((v) => ({
        ...JSON.parse(v.body),
        day: v.day,
        consultation: consult.get(v.id),
        prescriptions: rx.filter((p) => p.visitId === v.id),
      }));
      if (items.length === 0 || visits.length !== o.visits) throw new Error('baseline read failed');
      if (i >= 10) baseline.add(performance.now() - s);
    }
    plain.close();
    process.stdout.write(
      `\n## Opening a chart (${o.visits} past visits, each with a consultation and a 2-item prescription; ${o.samples} openings)\n\n`,
    );
    process.stdout.write(
      `${table([{ operation: 'chart.open, all decrypted, audited', kavach, baseline, maxP95Ms: 30, maxRatio: null }])}\n`,
    );
    process.stdout.write(
      '\nbaseline: the same content as plaintext JSON rows in SQLite, read and parsed (no decryption, no audit).\n',
    );
  } finally {
    await h.close();
    rmSync(plainDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  say(`chart benchmark failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
