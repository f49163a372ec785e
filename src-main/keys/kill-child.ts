// Child process for rotation-kill.test.ts: opens a workstation, starts a key rotation (or
// carries on with the one in the database) and drives the job step by step, printing
// "step <n>" after each committed step, until the parent kills it. Test support only.
import { openCore } from '../core.js';
import { createKeytarStore } from '../vault/keytar-store.js';
import { keyServiceOf } from './service.js';

const [dataDir, service] = process.argv.slice(2);
if (!dataDir || !service) throw new Error('usage: kill-child <dataDir> <keychain service>');
process.env.KAVACH_KEY_ROTATION_BATCH = '5';
const core = await openCore({
  dataDir,
  secrets: createKeytarStore(service),
  log: () => {},
  sync: { auto: false },
});
const keys = keyServiceOf(core);
// This process drives the job itself, synchronously, so a kill lands inside the work.
keys.stop();
if (!keys.status().rotation) await keys.rotate();
for (let n = 1; keys.step(); n++) process.stdout.write(`step ${n}\n`);
process.stdout.write('finished\n');
await core.close();
