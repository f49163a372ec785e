import { eq } from 'drizzle-orm';
import { ROLES, type Role } from '../../src-shared/roles.js';
import type { ClinicSettings } from '../../src-shared/types.js';
import type { ChangeCapture } from './change-capture.js';
import type { Db } from './db.js';
import { clinicSettings } from './schema.js';

const ROW = 'clinic';
export const DEFAULT_IDLE_MINUTES = 5;
/** Who must use a second factor unless an admin says otherwise: the roles that can read
 *  charts or change staff and keys. */
export const DEFAULT_SECOND_FACTOR_ROLES: readonly Role[] = ['admin', 'doctor'];

/** Stored as 'admin,doctor'; NULL (a clinic from before the setting existed) is the default. */
function parseRoles(text: string | null): Role[] {
  if (text === null) return [...DEFAULT_SECOND_FACTOR_ROLES];
  return ROLES.filter((r) => text.split(',').includes(r));
}

const rolesText = (roles: readonly Role[]) => ROLES.filter((r) => roles.includes(r)).join(',');

export class SettingsRepo {
  constructor(
    private readonly db: Db,
    private readonly capture: ChangeCapture,
    private readonly now: () => number,
  ) {}

  get(): ClinicSettings | null {
    const row = this.db.select().from(clinicSettings).where(eq(clinicSettings.id, ROW)).get();
    return row
      ? {
          clinicName: row.clinicName,
          idleMinutes: row.idleMinutes,
          secondFactorRoles: parseRoles(row.secondFactorRoles),
        }
      : null;
  }

  /** Name and idle timeout; the second-factor roles only when given (first run). */
  put(s: { clinicName: string; idleMinutes: number; secondFactorRoles?: readonly Role[] }): void {
    const roles = s.secondFactorRoles ? rolesText(s.secondFactorRoles) : undefined;
    this.db.transaction(() => {
      this.db
        .insert(clinicSettings)
        .values({
          id: ROW,
          clinicName: s.clinicName,
          idleMinutes: s.idleMinutes,
          updatedAt: this.now(),
          ...(roles === undefined ? {} : { secondFactorRoles: roles }),
        })
        .onConflictDoUpdate({
          target: clinicSettings.id,
          set: { clinicName: s.clinicName, idleMinutes: s.idleMinutes, updatedAt: this.now() },
        })
        .run();
      this.capture.record('clinic_settings', ROW, [
        { column: 'clinic_name', plain: s.clinicName },
        { column: 'idle_minutes', plain: s.idleMinutes },
        ...(roles === undefined ? [] : [{ column: 'second_factor_roles' as const, plain: roles }]),
      ]);
    });
  }

  setSecondFactorRoles(roles: readonly Role[]): void {
    const text = rolesText(roles);
    this.db.transaction(() => {
      this.db
        .update(clinicSettings)
        .set({ secondFactorRoles: text, updatedAt: this.now() })
        .where(eq(clinicSettings.id, ROW))
        .run();
      this.capture.record('clinic_settings', ROW, [{ column: 'second_factor_roles', plain: text }]);
    });
  }
}
