import type { ChannelDef } from './channel-def.js';

/** FHIR R4 and HL7 v2 exchange (issue 8). */
export const interopContract = {} as const satisfies Record<string, ChannelDef>;
