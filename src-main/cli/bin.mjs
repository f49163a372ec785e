#!/usr/bin/env node
// The `kavach` bin: loads the TypeScript CLI through tsx (as `npm run kavach` does).
import { register } from 'tsx/esm/api';

register();
const { run } = await import('./kavach.ts');
await run();
