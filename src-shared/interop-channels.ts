/** The interop channels' names (see channels.ts: no zod here, the preload bundles this). */
export const INTEROP_CHANNEL_NAMES = [
  'interop.exportFhir',
  'interop.previewFhir',
  'interop.importFhir',
  'interop.exportHl7',
  'interop.previewHl7',
  'interop.importHl7',
] as const;
