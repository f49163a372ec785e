import { eq } from 'drizzle-orm';
import type { Db } from './db.js';
import { meta } from './schema.js';

export type MetaKey = 'install_id' | 'node_id' | 'hlc_last' | 'patient_counter' | `visit_token:${string}`;

export class MetaRepo {
  constructor(private readonly db: Db) {}

  get(key: MetaKey): string | null {
    return this.db.select().from(meta).where(eq(meta.key, key)).get()?.value ?? null;
  }

  set(key: MetaKey, value: string): void {
    this.db.insert(meta).values({ key, value }).onConflictDoUpdate({ target: meta.key, set: { value } }).run();
  }
}
