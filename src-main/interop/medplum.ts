import { createRequire } from 'node:module';
import { installWebSocketStandIn } from './websocket-standin.js';

/**
 * The one place Kavach loads @medplum/core. Its bundle reads `WebSocket.CLOSING` while it
 * loads (for a client Kavach never uses); Node 20 has no global WebSocket, so a stand-in
 * that refuses to connect is installed first (Electron's Node has a real one and keeps it).
 * The package is required here, after the stand-in, rather than imported: a static import
 * would be hoisted above the stand-in once the main process is bundled.
 */
installWebSocketStandIn();
const medplum = createRequire(import.meta.url)('@medplum/core') as typeof import('@medplum/core');

export const Hl7Context = medplum.Hl7Context;
export type Hl7Context = import('@medplum/core').Hl7Context;
export const Hl7Field = medplum.Hl7Field;
export type Hl7Field = import('@medplum/core').Hl7Field;
export const Hl7Message = medplum.Hl7Message;
export type Hl7Message = import('@medplum/core').Hl7Message;
export const Hl7Segment = medplum.Hl7Segment;
export type Hl7Segment = import('@medplum/core').Hl7Segment;
export const OperationOutcomeError = medplum.OperationOutcomeError;
export type OperationOutcomeError = import('@medplum/core').OperationOutcomeError;
export const indexStructureDefinitionBundle = medplum.indexStructureDefinitionBundle;
export const validateResource = medplum.validateResource;
