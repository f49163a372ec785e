/** The billing ledger's verification as the screens and the CLI see it (issue 7). */
export type LedgerFault = 'hash-mismatch' | 'broken-link' | 'gap' | 'duplicate-seq' | 'bad-content';

export interface LedgerChain {
  workstationId: string;
  /** Entries checked and found good. */
  entries: number;
}

export type LedgerCheck =
  | { ok: true; chains: LedgerChain[] }
  | { ok: false; workstationId: string; seq: number; reason: LedgerFault; chains: LedgerChain[] };
