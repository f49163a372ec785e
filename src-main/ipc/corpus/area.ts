import type { Channel } from '../../../src-shared/contract.js';
import type { Result } from '../../../src-shared/result.js';
import type { Connection } from '../../core-types.js';
import type { HarnessCore } from '../../testing/core-harness.js';

/** Who calls a sample: the corpus's admin, an anonymous connection, a receptionist or the doctor. */
export type CorpusCaller = 'admin' | 'anon' | 'tara' | 'rita' | 'ravi' | 'docd';

export interface CorpusSample {
  as: CorpusCaller;
  payload: () => unknown;
}

/** What the shared corpus set-up made, for an area's own set-up. */
export interface CorpusFixtures {
  h: HarnessCore;
  /** A registered patient (Kavya Nair) with a checked-in, unassigned visit. */
  patientId: string;
  visitId: string;
  /** The doctor 'docd' and a second patient's visit assigned to them. */
  doctorId: string;
  finishVisitId: string;
  /** A signed prescription for visitId, and a finished attachment of the patient. */
  prescriptionId: string;
  attachmentId: string;
  connectAs(who: CorpusCaller): Promise<Connection>;
}

/**
 * One area's part of the injection corpus (bridge-injection-corpus.ts): a valid sample payload
 * per channel of the area, the fixtures those payloads need, how to read a successful write
 * back for the verbatim check, the fields that accept null, and the tables whose rows must not
 * change when a call is refused. Areas live in this folder and are listed in index.ts.
 */
export interface CorpusArea {
  samples: Partial<Record<Channel, CorpusSample>>;
  /** Runs once, after the shared fixtures exist. */
  setup?(f: CorpusFixtures): Promise<void>;
  /** What a successful call stored, shaped like its payload; undefined when not this area's. */
  readBack?(channel: Channel, result: Result<unknown>, f: CorpusFixtures): Promise<unknown>;
  nullable?: readonly string[];
  watched?: readonly string[];
}
