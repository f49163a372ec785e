import type { CorpusArea } from './area.js';

/** Interop channels (issue 8). */
export const interopArea: CorpusArea = {
  samples: {},
};
