/** The interop channels' names (see channels.ts: no zod here, the preload bundles this). */
export const INTEROP_CHANNEL_NAMES = [] as const;
