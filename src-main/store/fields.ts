import { DecryptionError } from '../crypto/envelope.js';
import type { KeyRing } from '../crypto/keyring.js';

/**
 * Seals and opens column values for their place. A failed opening is reported (security
 * event) before the typed error continues upward: it never becomes garbage or ''.
 */
export class FieldCodec {
  constructor(
    private readonly ring: KeyRing,
    private readonly onFailure: (e: DecryptionError) => void,
  ) {}

  sealText(table: string, column: string, rowId: string, value: string): Buffer {
    return Buffer.from(this.ring.sealText({ table, column, rowId }, value));
  }

  openText(table: string, column: string, rowId: string, envelope: Uint8Array): string {
    return this.guard(() => this.ring.openText({ table, column, rowId }, envelope));
  }

  /** Checks a received envelope is authentic for its place without opening it (reported
   *  like a failed opening when it is not). */
  verify(table: string, column: string, rowId: string, envelope: Uint8Array): void {
    this.guard(() => this.ring.verifyField({ table, column, rowId }, envelope));
  }

  sealJson(table: string, column: string, rowId: string, value: unknown): Buffer {
    return this.sealText(table, column, rowId, JSON.stringify(value));
  }

  openJson<T>(table: string, column: string, rowId: string, envelope: Uint8Array): T {
    return JSON.parse(this.openText(table, column, rowId, envelope)) as T;
  }

  private guard<T>(open: () => T): T {
    try {
      return open();
    } catch (e) {
      if (e instanceof DecryptionError) this.onFailure(e);
      throw e;
    }
  }
}
