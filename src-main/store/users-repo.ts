import { randomUUID } from 'node:crypto';
import { asc, count, eq } from 'drizzle-orm';
import type { Role } from '../../src-shared/roles.js';
import type { DoctorProfile } from '../../src-shared/types.js';
import type { ChangeCapture } from './change-capture.js';
import type { Db } from './db.js';
import type { FieldCodec } from './fields.js';
import { loginThrottle, users } from './schema.js';

export interface UserRecord {
  id: string;
  username: string;
  role: Role;
  active: boolean;
  displayName: string;
  doctor: DoctorProfile | null;
}

export interface NewUser {
  username: string;
  role: Role;
  displayName: string;
  passwordHash: string;
  doctor: DoctorProfile | null;
}

type Row = typeof users.$inferSelect;

export class UsersRepo {
  constructor(
    private readonly db: Db,
    private readonly codec: FieldCodec,
    private readonly capture: ChangeCapture,
    private readonly now: () => number,
  ) {}

  count(): number {
    return this.db.select({ n: count() }).from(users).get()?.n ?? 0;
  }

  /** Plain columns only: enough to authorise a call without decrypting anything. */
  access(id: string): { role: Role; active: boolean; username: string } | null {
    return this.db
      .select({ role: users.role, active: users.active, username: users.username })
      .from(users)
      .where(eq(users.id, id))
      .get() ?? null;
  }

  byId(id: string): UserRecord | null {
    const row = this.db.select().from(users).where(eq(users.id, id)).get();
    return row ? this.decode(row) : null;
  }

  idByUsername(username: string): string | null {
    return this.db.select({ id: users.id }).from(users).where(eq(users.username, username)).get()?.id ?? null;
  }

  passwordHash(id: string): string | null {
    const row = this.db.select({ h: users.passwordHash }).from(users).where(eq(users.id, id)).get();
    return row ? this.codec.openText('users', 'password_hash', id, row.h) : null;
  }

  list(includeInactive: boolean): UserRecord[] {
    const q = this.db.select().from(users);
    const rows = (includeInactive ? q : q.where(eq(users.active, true))).orderBy(asc(users.username)).all();
    return rows.map((r) => this.decode(r));
  }

  lockedUntil(username: string): number | null {
    return (
      this.db
        .select({ until: loginThrottle.lockedUntil })
        .from(loginThrottle)
        .where(eq(loginThrottle.username, username))
        .get()?.until ?? null
    );
  }

  create(input: NewUser): string {
    const id = randomUUID();
    const at = this.now();
    const displayName = this.codec.sealText('users', 'display_name', id, input.displayName);
    const passwordHash = this.codec.sealText('users', 'password_hash', id, input.passwordHash);
    const doctorProfile = input.doctor ? this.codec.sealJson('users', 'doctor_profile', id, input.doctor) : null;
    this.db.transaction(() => {
      this.db
        .insert(users)
        .values({ id, username: input.username, role: input.role, active: true, displayName, passwordHash, doctorProfile, createdAt: at, updatedAt: at })
        .run();
      this.capture.record('users', id, [
        { column: 'username', plain: input.username },
        { column: 'role', plain: input.role },
        { column: 'active', plain: true },
        { column: 'display_name', envelope: displayName },
        { column: 'password_hash', envelope: passwordHash },
        { column: 'doctor_profile', envelope: doctorProfile ?? this.codec.sealJson('users', 'doctor_profile', id, null) },
        { column: 'created_at', plain: at },
      ]);
    });
    return id;
  }

  updateProfile(id: string, p: { role: Role; displayName: string; doctor: DoctorProfile | null }): void {
    const displayName = this.codec.sealText('users', 'display_name', id, p.displayName);
    const doctorEnvelope = this.codec.sealJson('users', 'doctor_profile', id, p.doctor);
    this.db.transaction(() => {
      this.db
        .update(users)
        .set({ role: p.role, displayName, doctorProfile: p.doctor ? doctorEnvelope : null, updatedAt: this.now() })
        .where(eq(users.id, id))
        .run();
      this.capture.record('users', id, [
        { column: 'role', plain: p.role },
        { column: 'display_name', envelope: displayName },
        { column: 'doctor_profile', envelope: doctorEnvelope },
      ]);
    });
  }

  setActive(id: string, active: boolean): void {
    this.db.transaction(() => {
      this.db.update(users).set({ active, updatedAt: this.now() }).where(eq(users.id, id)).run();
      this.capture.record('users', id, [{ column: 'active', plain: active }]);
    });
  }

  setPasswordHash(id: string, hash: string): void {
    const envelope = this.codec.sealText('users', 'password_hash', id, hash);
    this.db.transaction(() => {
      this.db.update(users).set({ passwordHash: envelope, updatedAt: this.now() }).where(eq(users.id, id)).run();
      this.capture.record('users', id, [{ column: 'password_hash', envelope }]);
    });
  }

  private decode(row: Row): UserRecord {
    return {
      id: row.id,
      username: row.username,
      role: row.role,
      active: row.active,
      displayName: this.codec.openText('users', 'display_name', row.id, row.displayName),
      doctor: row.doctorProfile
        ? this.codec.openJson<DoctorProfile | null>('users', 'doctor_profile', row.id, row.doctorProfile)
        : null,
    };
  }
}
