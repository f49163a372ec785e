/** See medplum.ts: only the constants are read at load time; Kavach opens no WebSocket. */
export function installWebSocketStandIn(): void {
  const g = globalThis as { WebSocket?: unknown };
  g.WebSocket ??= class NoWebSocket {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;
    constructor() {
      throw new Error('Kavach opens no WebSocket connections from the FHIR library.');
    }
  };
}
