// Starts a worker thread written in TypeScript when Kavach runs from its sources (tests,
// benchmarks, the browser preview). The desktop build bundles each worker as JavaScript
// (electron.vite.config.ts) and does not use this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
