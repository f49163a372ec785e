import { eq } from 'drizzle-orm';
import type { ClinicSettings } from '../../src-shared/types.js';
import type { ChangeCapture } from './change-capture.js';
import type { Db } from './db.js';
import { clinicSettings } from './schema.js';

const ROW = 'clinic';
export const DEFAULT_IDLE_MINUTES = 5;

export class SettingsRepo {
  constructor(
    private readonly db: Db,
    private readonly capture: ChangeCapture,
    private readonly now: () => number,
  ) {}

  get(): ClinicSettings | null {
    const row = this.db.select().from(clinicSettings).where(eq(clinicSettings.id, ROW)).get();
    return row ? { clinicName: row.clinicName, idleMinutes: row.idleMinutes } : null;
  }

  put(s: ClinicSettings): void {
    this.db.transaction(() => {
      this.db
        .insert(clinicSettings)
        .values({ id: ROW, clinicName: s.clinicName, idleMinutes: s.idleMinutes, updatedAt: this.now() })
        .onConflictDoUpdate({
          target: clinicSettings.id,
          set: { clinicName: s.clinicName, idleMinutes: s.idleMinutes, updatedAt: this.now() },
        })
        .run();
      this.capture.record('clinic_settings', ROW, [
        { column: 'clinic_name', plain: s.clinicName },
        { column: 'idle_minutes', plain: s.idleMinutes },
      ]);
    });
  }
}
