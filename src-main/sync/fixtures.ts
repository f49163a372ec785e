import { randomUUID } from 'node:crypto';
import { verhoeffCheckDigit } from '../../src-shared/aadhaar.js';
import type { InputOf } from '../../src-shared/contract.js';
import { formatHlc, HybridClock } from '../../src-shared/hlc.js';
import type { WireChangeJson } from '../../src-shared/sync-wire.js';
import type { PatientRecord } from '../../src-shared/types.js';
import type { Connection } from '../core-types.js';
import { KeyRing } from '../crypto/keyring.js';
import { ChangeCapture } from '../store/change-capture.js';
import { type OpenedStore, openStore } from '../store/db.js';
import { FieldCodec } from '../store/fields.js';
import { MetaRepo } from '../store/meta-repo.js';
import { PatientsRepo } from '../store/patients-repo.js';
import { SecurityRepo } from '../store/security-repo.js';
import { SyncRepo } from '../store/sync-repo.js';
import { call, must } from '../testing/core-harness.js';
import { readRingKeys } from '../vault/device-key.js';
import type { SecretStore } from '../vault/secret-store.js';
import type { ApplyDeps, IncomingChange } from './apply.js';

/** Patients and staff for the sync tests. Test support only. */
export const aadhaar = (eleven: string) => `${eleven}${verhoeffCheckDigit(eleven)}`;

export type PatientDraft = InputOf<'patients.register'>['patient'];

export const DESK = {
  username: 'desk',
  displayName: 'Front Desk',
  role: 'receptionist' as const,
  password: 'marigold-window-5',
};

export const PEOPLE: PatientDraft[] = [
  {
    givenNames: 'Ravi',
    familyName: 'Shankar',
    sex: 'male',
    birth: { kind: 'exact', date: '1984-03-09' },
    phones: [{ number: '+91 98470 12345', label: 'mobile' }],
    nationalId: aadhaar('23456789012'),
    allergies: ['Sulfa drugs'],
    notes: 'Walk-in',
  },
  {
    givenNames: 'Lakshmi',
    familyName: 'Venkataraman',
    sex: 'female',
    birth: { kind: 'exact', date: '1971-11-30' },
    phones: [{ number: '9447066554', label: 'mobile' }],
    nationalId: aadhaar('87654321098'),
    notes: 'Diabetic, on metformin',
  },
  {
    givenNames: 'प्रिया',
    familyName: 'शर्मा',
    sex: 'female',
    birth: { kind: 'exact', date: '1995-06-01' },
    phones: [{ number: '8123409876', label: 'home' }],
    notes: '',
  },
];

export async function addDesk(admin: Connection): Promise<void> {
  must(await call(admin, 'staff.create', { ...DESK }));
}

export async function register(desk: Connection, p: PatientDraft): Promise<string> {
  const r = must(await call(desk, 'patients.register', { patient: p, decision: 'register-new' }));
  if (r.status !== 'registered') throw new Error('not registered');
  return r.id;
}

/** The record as an update payload: every field as stored, the Aadhaar kept as it is. */
export function asInput(r: PatientRecord): PatientDraft {
  const {
    id,
    patientNumber,
    ageYears,
    nationalIdMasked,
    hasPhoto,
    lastVisit,
    createdAt,
    updatedAt,
    ...rest
  } = r;
  void [id, patientNumber, ageYears, nationalIdMasked, hasPhoto, lastVisit, createdAt, updatedAt];
  // The fixtures' births are exact dates; the stored form then matches the input form.
  return { ...rest, birth: { kind: 'exact', date: rest.birth.date }, nationalId: '' };
}

/** Changes one field the way reception would: read the record, edit, save. */
export async function edit(
  desk: Connection,
  id: string,
  change: Partial<PatientDraft>,
): Promise<PatientRecord> {
  const current = must(await call(desk, 'patients.get', { id }));
  return must(
    await call(desk, 'patients.update', {
      id,
      patient: { ...asInput(current), ...change },
      keepNationalId: true,
    }),
  );
}

/** The clinic's key ring, read the way enrollment reads it (test support). */
export async function clinicRing(s: { dataDir: string; secrets: SecretStore }): Promise<KeyRing> {
  const store = openStore(s.dataDir, Date.now);
  try {
    const ring = new KeyRing();
    for (const k of await readRingKeys(store.db, new MetaRepo(store.db), s.secrets))
      ring.add(k.version, k.cdk);
    return ring;
  } finally {
    store.sqlite.close();
  }
}

/** A whole patient as wire changes sealed with the clinic's keys, every field one change. */
export function patientChanges(ring: KeyRing, i: number, wall: number, prefix: string): WireChangeJson[] {
  const id = randomUUID();
  const values: Record<string, unknown> = {
    given_names: `Given${i}`,
    family_name: `Family${i}`,
    sex: i % 2 ? 'female' : 'male',
    birth: { kind: 'exact', date: '1980-01-01' },
    phones: [{ number: `9${String(100_000_000 + i)}`, label: 'mobile' }],
    address: { line: '', cityOrVillage: '', district: '', state: '', pinCode: '' },
    national_id: '',
    other_id: null,
    blood_group: 'unknown',
    height_cm: null,
    weight_kg: null,
    preferred_language: '',
    emergency_contacts: [],
    bystander: null,
    insurance: null,
    allergies: [],
    chronic_conditions: [],
    medico_legal: { isMedicoLegal: false, policeStation: '', firNumber: '' },
    notes: '',
    patient_number: `${prefix}-${String(i).padStart(5, '0')}`,
    created_at: wall,
  };
  return Object.entries(values).map(([column, value], n) => ({
    changeId: randomUUID(),
    table: 'patients',
    rowId: id,
    column,
    clock: formatHlc({ wall, counter: i * 32 + n, node: 'backlog' }),
    value: Buffer.from(
      ring.sealText({ table: 'patients', column, rowId: id }, JSON.stringify(value)),
    ).toString('base64'),
  }));
}

/** A pulled change as the engine hands it to applyPage (test support). */
export function pulled(
  c: WireChangeJson,
  seq: number,
  value: Buffer = Buffer.from(c.value, 'base64'),
): IncomingChange {
  return {
    changeId: c.changeId,
    seq,
    tbl: c.table,
    rowId: c.rowId,
    col: c.column,
    clock: c.clock,
    deviceId: 'sender',
    value,
  };
}

/**
 * A fresh store in `dir` and what applyPage needs over it, keyed by `ring` (test support).
 * A failed opening is recorded as a security event, as on a workstation.
 */
export function receiverOf(
  dir: string,
  ring: KeyRing,
  extra: Partial<ApplyDeps> = {},
): { store: OpenedStore; deps: ApplyDeps; codec: FieldCodec; patients: PatientsRepo } {
  const store = openStore(dir, Date.now);
  const security = new SecurityRepo(store.db, Date.now);
  const codec = new FieldCodec(ring, (e) =>
    security.record({ kind: 'decryption-failed', detail: { reason: e.reason } }),
  );
  const meta = new MetaRepo(store.db);
  const hlc = new HybridClock('c0ffee0000000002', Date.now);
  const capture = new ChangeCapture(store.db, hlc, codec, meta, Date.now);
  const patients = new PatientsRepo(store.db, codec, capture, meta, ring.blindIndexKey(), 'RECV2', Date.now);
  const deps: ApplyDeps = {
    db: store.db,
    repo: new SyncRepo(store.db),
    codec,
    hlc,
    capture,
    patients,
    security,
    meta,
    now: Date.now,
    deviceId: 'receiver',
    ...extra,
  };
  return { store, deps, codec, patients };
}
