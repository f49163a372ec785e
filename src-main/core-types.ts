import type { Result } from '../src-shared/result.js';
import type { SyncEngine, SyncTuning } from './sync/engine.js';
import type { SecretStore } from './vault/secret-store.js';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface CoreOptions {
  /** Folder holding kavach.db (created 0700 if missing). */
  dataDir: string;
  secrets: SecretStore;
  clock?: Clock;
  /** Called for operational messages (never patient data or keys). Defaults to stderr. */
  log?: (line: string) => void;
  /** Sync loop timings and the HTTP client; tests turn the background loops off. */
  sync?: SyncTuning;
}

/** One window's (or one preview socket's) view of the services: it carries its own session. */
export interface Connection {
  readonly id: string;
  invoke(channel: string, payload: unknown, meta?: InvokeMeta): Promise<Result<unknown>>;
  close(): void;
}

export interface InvokeMeta {
  /** False when the Electron sender frame is not our app's top frame. */
  trustedSender?: boolean;
}

export interface Core {
  connect(): Connection;
  /** The sync engine (status, a pass on demand); stopped by close(). Optional so stand-in cores in tests need not fake it. */
  readonly sync?: SyncEngine;
  close(): Promise<void>;
}
