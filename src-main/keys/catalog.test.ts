import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { envelopeTables, SCHEMA_MODULES } from './catalog.js';

const storeDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'store');

describe('the rotation catalog', () => {
  it('reads every schema file drizzle reads', () => {
    const files = readdirSync(storeDir).filter((f) => /^schema(-[a-z]+)?\.ts$/.test(f));
    expect(Object.keys(SCHEMA_MODULES).sort()).toEqual(files.sort());
  });

  it('walks the envelopes of every area and leaves key wraps and waiting changes alone', () => {
    const tables = new Map(envelopeTables().map((t) => [t.name, t.columns]));
    expect(tables.get('patients')).toContain('given_names');
    expect(tables.get('invoice_lines')).toEqual(['description']);
    expect(tables.get('payments')).toEqual(['reference']);
    expect(tables.get('invoices')).toContain('void_reason');
    expect(tables.get('clinic_identity')).toEqual(['keys']);
    expect(tables.get('lab_results')).toContain('observations');
    expect(tables.has('key_wraps')).toBe(false);
    expect(tables.has('sync_waiting')).toBe(false);
    expect(tables.has('blind_index')).toBe(false);
    expect(new Set(envelopeTables().map((t) => t.name)).size).toBe(envelopeTables().length);
  });
});
