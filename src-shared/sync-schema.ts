/**
 * The tables and columns that travel through sync, with how each is held locally. The
 * wire format (DESIGN.md §5) names a table and column per change; a receiver checks both
 * against this list before they come anywhere near SQL.
 */
export type ColumnKind = 'envelope' | 'plain';

export const SYNCED_TABLES = {
  users: {
    username: 'plain',
    role: 'plain',
    active: 'plain',
    display_name: 'envelope',
    password_hash: 'envelope',
    doctor_profile: 'envelope',
    created_at: 'plain',
    // The second factor syncs: enrolled on one workstation, asked for on all of them.
    totp_secret: 'envelope',
    recovery_codes: 'envelope',
    totp_last_step: 'plain',
  },
  clinic_settings: {
    clinic_name: 'plain',
    idle_minutes: 'plain',
    second_factor_roles: 'plain',
  },
  patients: {
    patient_number: 'plain',
    given_names: 'envelope',
    family_name: 'envelope',
    sex: 'envelope',
    birth: 'envelope',
    phones: 'envelope',
    address: 'envelope',
    national_id: 'envelope',
    other_id: 'envelope',
    blood_group: 'envelope',
    height_cm: 'envelope',
    weight_kg: 'envelope',
    preferred_language: 'envelope',
    emergency_contacts: 'envelope',
    bystander: 'envelope',
    insurance: 'envelope',
    allergies: 'envelope',
    chronic_conditions: 'envelope',
    medico_legal: 'envelope',
    notes: 'envelope',
    created_by: 'plain',
    created_at: 'plain',
  },
  patient_photos: {
    image: 'envelope',
  },
  visits: {
    patient_id: 'plain',
    doctor_id: 'plain',
    appointment_id: 'plain',
    day: 'plain',
    token: 'plain',
    priority: 'plain',
    status: 'plain',
    reason: 'envelope',
    created_by: 'plain',
    checked_in_at: 'plain',
    called_at: 'plain',
    status_changed_at: 'plain',
  },
  doctor_schedules: {
    slot_minutes: 'plain',
    weekly: 'plain',
  },
  doctor_leave: {
    doctor_id: 'plain',
    date: 'plain',
    on_leave: 'plain',
    note: 'plain',
  },
  appointments: {
    doctor_id: 'plain',
    patient_id: 'plain',
    visit_id: 'plain',
    date: 'plain',
    start_min: 'plain',
    end_min: 'plain',
    status: 'plain',
    reason: 'envelope',
    created_by: 'plain',
    created_at: 'plain',
  },
  /** Insert-only: each copy is made once, under an id derived from the edit that lost. */
  conflict_copies: {
    source_table: 'plain',
    source_row_id: 'plain',
    source_column: 'plain',
    lost_clock: 'plain',
    text: 'envelope',
    created_at: 'plain',
  },
  chart_items: {
    patient_id: 'plain',
    kind: 'plain',
    details: 'envelope',
    recorded_by: 'plain',
    recorded_at: 'plain',
  },
  consultations: {
    patient_id: 'plain',
    doctor_id: 'plain',
    status: 'plain',
    complaints: 'envelope',
    history: 'envelope',
    examination: 'envelope',
    vitals: 'envelope',
    diagnosis: 'envelope',
    advice: 'envelope',
    follow_up: 'envelope',
    started_at: 'plain',
    finished_at: 'plain',
  },
  /** Insert-only: each field is written once, when the prescription is signed. */
  prescriptions: {
    patient_id: 'plain',
    visit_id: 'plain',
    doctor_id: 'plain',
    version: 'plain',
    previous_id: 'plain',
    content: 'envelope',
    digest: 'plain',
    signed_at: 'plain',
  },
  /** Insert-only: each field is written once, when the entry joins its workstation's chain. */
  ledger_entries: {
    workstation_id: 'plain',
    seq: 'plain',
    kind: 'plain',
    ref_id: 'plain',
    content: 'plain',
    prev_hash: 'plain',
    hash: 'plain',
    created_at: 'plain',
  },
  /** Insert-only: a rotation's new key version wrapped under the previous one (keys/README.md). */
  key_wraps: {
    version: 'plain',
    wrapped_under: 'plain',
    wrapped_key: 'envelope',
    created_at: 'plain',
  },
  /** Billing (issue 7): price list versions, last-writer-wins per field. */
  price_items: {
    item_id: 'plain',
    code: 'plain',
    name: 'plain',
    category: 'plain',
    department: 'plain',
    doctor_id: 'plain',
    price_paise: 'plain',
    tax_bp: 'plain',
    effective_from: 'plain',
    effective_to: 'plain',
    created_by: 'plain',
    created_at: 'plain',
  },
  /** Stored status is draft/issued/void only; paid is derived from payments, so concurrent
   *  payments on two workstations never conflict here. */
  invoices: {
    visit_id: 'plain',
    patient_id: 'plain',
    doctor_id: 'plain',
    number: 'plain',
    status: 'plain',
    subtotal_paise: 'plain',
    discount_paise: 'plain',
    tax_paise: 'plain',
    total_paise: 'plain',
    line_count: 'plain',
    workstation_id: 'plain',
    created_by: 'plain',
    created_at: 'plain',
    issued_at: 'plain',
    issued_day: 'plain',
    voided_at: 'plain',
    voided_day: 'plain',
    voided_by: 'plain',
    void_reason: 'envelope',
  },
  invoice_lines: {
    invoice_id: 'plain',
    position: 'plain',
    price_item_id: 'plain',
    description: 'envelope',
    category: 'plain',
    quantity: 'plain',
    unit_price_paise: 'plain',
    discount_paise: 'plain',
    tax_bp: 'plain',
    tax_paise: 'plain',
    total_paise: 'plain',
    removed: 'plain',
  },
  /** Insert-only: each field is written once, when the payment or refund is taken. */
  payments: {
    invoice_id: 'plain',
    refund_of: 'plain',
    kind: 'plain',
    method: 'plain',
    amount_paise: 'plain',
    tendered_paise: 'plain',
    change_paise: 'plain',
    reference: 'envelope',
    user_id: 'plain',
    workstation_id: 'plain',
    ledger_entry_id: 'plain',
    at: 'plain',
    day: 'plain',
  },
  /** Referrals (issue 8): the clinic's own key pairs (one envelope, so LWW keeps a matching
   *  pair) and other clinics' cards (row id = fingerprint). */
  clinic_identity: {
    keys: 'envelope',
    created_at: 'plain',
  },
  clinic_cards: {
    name: 'plain',
    encryption_public: 'plain',
    signing_public: 'plain',
    imported_by: 'plain',
    imported_at: 'plain',
    confirmed_by: 'plain',
    confirmed_at: 'plain',
  },
} as const satisfies Record<string, Record<string, ColumnKind>>;

export type SyncedTable = keyof typeof SYNCED_TABLES;
export type SyncedColumn<T extends SyncedTable> = keyof (typeof SYNCED_TABLES)[T] & string;

/**
 * Clinical free text: when a concurrent edit of one of these loses last-writer-wins, the
 * losing text is kept as a conflict copy instead of disappearing.
 */
export const CONFLICT_TEXT_COLUMNS: Readonly<Partial<Record<SyncedTable, readonly string[]>>> = {
  patients: ['notes'],
  consultations: ['complaints', 'history', 'examination', 'advice'],
};

export function isConflictText(table: string, column: string): boolean {
  return (CONFLICT_TEXT_COLUMNS[table as SyncedTable] ?? []).includes(column);
}

export function isSyncedColumn(table: string, column: string): boolean {
  if (!Object.hasOwn(SYNCED_TABLES, table)) return false;
  return Object.hasOwn(SYNCED_TABLES[table as SyncedTable], column);
}

/** One field change on the wire: the value is always an envelope, whatever the column. */
export interface WireChange {
  changeId: string;
  table: string;
  rowId: string;
  column: string;
  clock: string;
  value: Uint8Array;
}
