import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HybridClock } from '../../src-shared/hlc.js';
import { KeyRing } from '../crypto/keyring.js';
import type { OpenedStore } from '../store/db.js';
import type { FieldCodec } from '../store/fields.js';
import type { MetaRepo } from '../store/meta-repo.js';
import { type ApplyDeps, applyPage, type IncomingChange } from './apply.js';
import { receiverOf } from './fixtures.js';

/** A page applied as one of many (catching up) relaxes two pragmas for its own commit only. */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function receiver() {
  const dir = mkdtempSync(join(tmpdir(), 'kavach-bulk-'));
  dirs.push(dir);
  return receiverOf(dir, KeyRing.generate().ring);
}

const pragmas = (store: OpenedStore) => ({
  synchronous: store.sqlite.pragma('synchronous', { simple: true }),
  autocheckpoint: store.sqlite.pragma('wal_autocheckpoint', { simple: true }),
});

function notesChange(codec: FieldCodec, seq: number): IncomingChange {
  const rowId = `row-${seq}`;
  const clock = new HybridClock('c0ffee0000000003', Date.now).now();
  return {
    changeId: crypto.randomUUID(),
    seq,
    tbl: 'patients',
    rowId,
    col: 'notes',
    clock,
    deviceId: 'sender',
    value: codec.sealText('patients', 'notes', rowId, JSON.stringify('A note')),
  };
}

describe('applying pages in bulk', () => {
  it('opens the store with FULL sync, 1,000-page checkpoints and a 64 MiB cache', () => {
    const { store } = receiver();
    expect(pragmas(store)).toEqual({ synchronous: 2, autocheckpoint: 1000 });
    expect(store.sqlite.pragma('cache_size', { simple: true })).toBe(-65536);
    store.sqlite.close();
  });

  it('goes back to FULL sync and 1,000-page checkpoints after a bulk page, applied or failed', () => {
    const { store, deps, codec } = receiver();
    const report = applyPage(deps, 0, 1, 3, [notesChange(codec, 1)], true);
    expect(report?.applied).toBe(1);
    expect(deps.repo.cursor()).toBe(1);
    expect(pragmas(store)).toEqual({ synchronous: 2, autocheckpoint: 1000 });
    // A page whose transaction throws (here: a closed-over database call that fails) rolls
    // back with its cursor, and the pragmas are restored all the same.
    const broken: ApplyDeps = {
      ...deps,
      meta: {
        ...deps.meta,
        set: () => {
          throw new Error('disk full');
        },
      } as unknown as MetaRepo,
    };
    expect(() => applyPage(broken, 1, 2, 3, [notesChange(codec, 2)], true)).toThrow('disk full');
    expect(deps.repo.cursor()).toBe(1);
    expect(pragmas(store)).toEqual({ synchronous: 2, autocheckpoint: 1000 });
    store.sqlite.close();
  });
});
