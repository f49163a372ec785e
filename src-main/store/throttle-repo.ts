import { eq } from 'drizzle-orm';
import type { Db } from './db.js';
import { loginThrottle } from './schema.js';

export class ThrottleRepo {
  constructor(private readonly db: Db) {}

  get(username: string) {
    return this.db.select().from(loginThrottle).where(eq(loginThrottle.username, username)).get() ?? null;
  }

  put(username: string, failures: number, lockedUntil: number | null, at: number): void {
    this.db
      .insert(loginThrottle)
      .values({ username, failures, lockedUntil, lastFailureAt: at })
      .onConflictDoUpdate({ target: loginThrottle.username, set: { failures, lockedUntil, lastFailureAt: at } })
      .run();
  }

  clear(username: string): void {
    this.db.delete(loginThrottle).where(eq(loginThrottle.username, username)).run();
  }
}
