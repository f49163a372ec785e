import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import type { LabObservation } from '../../src-shared/interop.js';
import type { Db } from '../store/db.js';
import type { FieldCodec } from '../store/fields.js';
import { labResults } from '../store/schema-interop.js';

export interface LabResult {
  id: string;
  patientId: string;
  attachmentId: string | null;
  controlId: string;
  sendingFacility: string;
  observations: LabObservation[];
  receivedBy: string | null;
  receivedAt: number;
}

type Sealed = Pick<LabResult, 'controlId' | 'sendingFacility' | 'observations'>;

/** Lab results filed from ORU^R01 messages (schema-interop.ts). */
export class LabResultsRepo {
  constructor(
    private readonly db: Db,
    private readonly codec: FieldCodec,
    private readonly now: () => number,
  ) {}

  insert(r: Omit<LabResult, 'id' | 'receivedAt'>): LabResult {
    const id = randomUUID();
    const at = this.now();
    const sealed: Sealed = {
      controlId: r.controlId,
      sendingFacility: r.sendingFacility,
      observations: r.observations,
    };
    this.db
      .insert(labResults)
      .values({
        id,
        patientId: r.patientId,
        attachmentId: r.attachmentId,
        observations: this.codec.sealJson('lab_results', 'observations', id, sealed),
        receivedBy: r.receivedBy,
        receivedAt: at,
      })
      .run();
    return { ...r, id, receivedAt: at };
  }

  forPatient(patientId: string): LabResult[] {
    return this.db
      .select()
      .from(labResults)
      .where(eq(labResults.patientId, patientId))
      .orderBy(asc(labResults.receivedAt))
      .all()
      .map((row) => ({
        id: row.id,
        patientId: row.patientId,
        attachmentId: row.attachmentId,
        receivedBy: row.receivedBy,
        receivedAt: row.receivedAt,
        ...this.codec.openJson<Sealed>('lab_results', 'observations', row.id, row.observations),
      }));
  }
}
