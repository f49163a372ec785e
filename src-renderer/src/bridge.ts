import { CHANNELS } from '../../src-shared/contract';
import type { Result } from '../../src-shared/result';

/**
 * In Electron the preload exposes window.kavach. The browser preview has no preload, so
 * the same surface is provided here over a WebSocket that the preview server authenticates
 * with its cookie. Screens never learn which transport they are on.
 */

export type ConnectionState = 'connecting' | 'open' | 'lost';

type Listener = (state: ConnectionState) => void;

const LOST: Result<never> = {
  ok: false,
  error: { code: 'INTERNAL', message: 'Connection to Kavach lost' },
};

const MAX_BACKOFF_MS = 10_000;

let state: ConnectionState = 'open';
const listeners = new Set<Listener>();

/** Lets the UI show a banner; never fires in Electron, where IPC cannot drop. */
export function onConnectionChange(listener: Listener): () => void {
  listeners.add(listener);
  listener(state);
  return () => listeners.delete(listener);
}

function setState(next: ConnectionState): void {
  if (next === state) return;
  state = next;
  for (const listener of listeners) listener(next);
}

function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const ok = (value as { ok?: unknown }).ok;
  if (ok === true) return 'value' in value;
  if (ok !== false) return false;
  const error = (value as { error?: unknown }).error;
  return (
    typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
  );
}

class SocketTransport {
  private socket: WebSocket | null = null;
  private nextId = 1;
  private attempts = 0;
  private readonly pending = new Map<number, (result: Result<unknown>) => void>();
  private readonly queue: string[] = [];

  constructor(private readonly url: string) {}

  start(): void {
    setState('connecting');
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener('open', () => this.onOpen());
    socket.addEventListener('message', (event) => this.onMessage(event));
    socket.addEventListener('close', () => this.onClose());
  }

  send(channel: string, payload: unknown): Promise<Result<unknown>> {
    const id = this.nextId++;
    const message = JSON.stringify({ id, channel, payload });
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(message);
      else this.queue.push(message);
    });
  }

  private onOpen(): void {
    this.attempts = 0;
    setState('open');
    for (const message of this.queue.splice(0)) this.socket?.send(message);
  }

  private onMessage(event: MessageEvent): void {
    if (typeof event.data !== 'string') return;
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (typeof data !== 'object' || data === null) return;
    const { id, result } = data as { id?: unknown; result?: unknown };
    if (typeof id !== 'number' || !isResult(result)) return;
    const resolve = this.pending.get(id);
    this.pending.delete(id);
    resolve?.(result);
  }

  private onClose(): void {
    // The server-side session belonged to this socket, so nothing in flight can be replayed.
    this.queue.length = 0;
    for (const resolve of this.pending.values()) resolve(LOST);
    this.pending.clear();
    this.socket = null;
    setState('lost');
    const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempts);
    this.attempts += 1;
    setTimeout(() => this.start(), base / 2 + Math.random() * (base / 2));
  }
}

function bridgeUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/bridge`;
}

/** Installs window.kavach over the preview socket unless a preload already did. */
export function installBridge(): void {
  if (typeof window.kavach === 'object' && window.kavach !== null) return;
  const transport = new SocketTransport(bridgeUrl());
  const methods: Record<string, (payload: unknown) => Promise<Result<unknown>>> = {};
  for (const channel of CHANNELS) {
    methods[channel] = (payload: unknown) => transport.send(channel, payload);
  }
  Object.defineProperty(window, 'kavach', {
    value: Object.freeze(methods),
    writable: false,
    configurable: false,
    enumerable: true,
  });
  transport.start();
}
