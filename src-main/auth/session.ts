import type { Role } from '../../src-shared/roles.js';
import type { SessionInfo } from '../../src-shared/types.js';

/** One window's login state. Lives in main only; the renderer sees `info()`. */
export class Session {
  userId: string | null = null;
  username: string | null = null;
  role: Role | null = null;
  displayName: string | null = null;
  locked = false;
  lastActivity = 0;

  constructor(readonly connectionId: string) {}

  get loggedIn(): boolean {
    return this.userId !== null;
  }

  start(user: { id: string; username: string; role: Role; displayName: string }, now: number): void {
    this.userId = user.id;
    this.username = user.username;
    this.role = user.role;
    this.displayName = user.displayName;
    this.locked = false;
    this.lastActivity = now;
  }

  end(): void {
    this.userId = null;
    this.username = null;
    this.role = null;
    this.displayName = null;
    this.locked = false;
  }

  /** Locks the session if it has been idle longer than the clinic's timeout. */
  applyIdle(now: number, idleMinutes: number): void {
    if (this.loggedIn && !this.locked && now - this.lastActivity > idleMinutes * 60_000) this.locked = true;
  }

  info(idleMinutes: number): SessionInfo {
    if (!this.loggedIn) return { state: 'anonymous', user: null, idleMinutes };
    return {
      state: this.locked ? 'locked' : 'active',
      user: { displayName: this.displayName!, role: this.role! },
      idleMinutes,
    };
  }
}
