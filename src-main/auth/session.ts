import type { Role } from '../../src-shared/roles.js';
import type { SecondFactorStage, SessionInfo } from '../../src-shared/types.js';

/** One window's login state. Lives in main only; the renderer sees `info()`. */
export class Session {
  userId: string | null = null;
  username: string | null = null;
  role: Role | null = null;
  displayName: string | null = null;
  locked = false;
  lastActivity = 0;
  /** 'full' once every factor is done; otherwise only the stage's channels answer. */
  stage: 'full' | SecondFactorStage = 'full';
  /** When the password was accepted, for the second-factor stage's time limit. */
  stageSince = 0;

  constructor(readonly connectionId: string) {}

  get loggedIn(): boolean {
    return this.userId !== null;
  }

  start(
    user: { id: string; username: string; role: Role; displayName: string },
    now: number,
    stage: 'full' | SecondFactorStage = 'full',
  ): void {
    this.userId = user.id;
    this.username = user.username;
    this.role = user.role;
    this.displayName = user.displayName;
    this.locked = false;
    this.lastActivity = now;
    this.stage = stage;
    this.stageSince = now;
  }

  end(): void {
    this.userId = null;
    this.username = null;
    this.role = null;
    this.displayName = null;
    this.locked = false;
    this.stage = 'full';
  }

  /** Locks the session if it has been idle longer than the clinic's timeout. A session still
   *  waiting for its second factor is not locked: it has its own time limit (router). */
  applyIdle(now: number, idleMinutes: number): void {
    if (
      this.loggedIn &&
      this.stage === 'full' &&
      !this.locked &&
      now - this.lastActivity > idleMinutes * 60_000
    )
      this.locked = true;
  }

  info(idleMinutes: number): SessionInfo {
    if (!this.loggedIn) return { state: 'anonymous', user: null, idleMinutes };
    return {
      state: this.stage !== 'full' ? this.stage : this.locked ? 'locked' : 'active',
      user: { displayName: this.displayName!, role: this.role! },
      idleMinutes,
    };
  }
}
