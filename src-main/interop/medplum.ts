/**
 * The one place Kavach loads @medplum/core. Its bundle reads `WebSocket.CLOSING` while it
 * loads (for a client Kavach never uses); Node 20 has no global WebSocket, so a stand-in
 * that refuses to connect is installed first. Electron's Node has a real one and keeps it.
 * Import medplum only through this module so the stand-in always comes first.
 */
import './websocket-standin.js';

export {
  Hl7Context,
  Hl7Field,
  Hl7Message,
  Hl7Segment,
  indexStructureDefinitionBundle,
  OperationOutcomeError,
  validateResource,
} from '@medplum/core';
