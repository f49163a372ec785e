import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecryptionError } from '../crypto/envelope.js';
import { KeyRing } from '../crypto/keyring.js';
import { FieldCodec } from '../store/fields.js';
import { openWraps, type WrapRow, wrapRowId } from './distribution.js';

/** The key wrap's cryptography alone (the synced path is in sync/key-rotation.test.ts). */
const CLINIC = 'clinic-1';

function ringWith(...versions: [number, Uint8Array][]): KeyRing {
  const ring = new KeyRing();
  for (const [v, k] of versions) ring.add(v, Uint8Array.from(k));
  return ring;
}

/** As recordWrap writes it: on the rotating workstation `under` is still the active version. */
function wrapRow(
  author: KeyRing,
  under: number,
  next: { version: number; cdk: Uint8Array },
  clinic = CLINIC,
): WrapRow {
  expect(author.activeVersion).toBe(under);
  const id = wrapRowId(next.version);
  const inner = Buffer.from(author.wrapNext(under, clinic, next)).toString('base64');
  const codec = new FieldCodec(author, () => {});
  return {
    id,
    version: next.version,
    wrappedUnder: under,
    wrappedKey: codec.sealText('key_wraps', 'wrapped_key', id, inner),
  };
}

describe('key wraps', () => {
  const v1 = randomBytes(32);
  const v2 = randomBytes(32);
  const v3 = randomBytes(32);

  it('opens version N+1 for a ring holding N; chains open one link at a time', () => {
    const rows = [
      wrapRow(ringWith([1, v1]), 1, { version: 2, cdk: v2 }),
      wrapRow(ringWith([1, v1], [2, v2]), 2, { version: 3, cdk: v3 }),
    ];
    const receiver = ringWith([1, v1]);
    const failures: DecryptionError[] = [];
    const codec = new FieldCodec(receiver, (e) => failures.push(e));
    const first = openWraps(rows, receiver, codec, CLINIC);
    expect(first.map((o) => o.kind)).toEqual(['key', 'waiting']);
    const opened = first[0]!;
    if (opened.kind !== 'key') throw new Error('not opened');
    expect(Buffer.from(opened.cdk).equals(v2)).toBe(true);
    receiver.add(2, opened.cdk);
    const second = openWraps(rows, receiver, codec, CLINIC);
    expect(second.map((o) => o.kind)).toEqual(['key']);
    expect(failures).toEqual([]);
  });

  it('refuses a wrap bound to another clinic or other versions, and a held version under another key', () => {
    const author = ringWith([1, v1]);
    const receiver = ringWith([1, v1]);
    const codec = new FieldCodec(receiver, () => {});
    const otherClinic = wrapRow(author, 1, { version: 2, cdk: v2 }, 'clinic-2');
    expect(openWraps([otherClinic], receiver, codec, CLINIC)).toEqual([
      { kind: 'failed', id: 'v2', version: 2, reason: 'authentication' },
    ]);
    // The inner wrap of v2 presented as the wrap of v3.
    const moved = { ...wrapRow(author, 1, { version: 2, cdk: v2 }), id: 'v3', version: 3 };
    expect(openWraps([moved], receiver, codec, CLINIC)[0]).toMatchObject({ kind: 'failed' });
    const clash = ringWith([1, v1], [2, v3]);
    expect(
      openWraps(
        [wrapRow(author, 1, { version: 2, cdk: v2 })],
        clash,
        new FieldCodec(clash, () => {}),
        CLINIC,
      ),
    ).toEqual([{ kind: 'failed', id: 'v2', version: 2, reason: 'version-clash' }]);
    expect(
      openWraps([wrapRow(author, 1, { version: 2, cdk: v2 })], ringWith([1, v1], [2, v2]), codec, CLINIC),
    ).toEqual([]);
  });

  it('never opens under a wrong previous version', () => {
    const ring = ringWith([1, v1], [2, v2]);
    const wrapped = ring.wrapNext(1, CLINIC, { version: 3, cdk: v3 });
    expect(() => ring.unwrapNext(2, CLINIC, 3, wrapped)).toThrow(DecryptionError);
    expect(Buffer.from(ring.unwrapNext(1, CLINIC, 3, wrapped)).equals(v3)).toBe(true);
  });
});
