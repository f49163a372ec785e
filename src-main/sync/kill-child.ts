// Child process for kill.test.ts: opens a workstation and syncs until told to stop by
// SIGKILL. Prints "ready" once the core is open. Test support only.
import { openCore } from '../core.js';
import { createKeytarStore } from '../vault/keytar-store.js';

const [dataDir, service] = process.argv.slice(2);
if (!dataDir || !service) throw new Error('usage: kill-child <dataDir> <keychain service>');
// Pages of 500 changes, so the backlog is twenty pages and a kill lands between commits often.
const core = await openCore({
  dataDir,
  secrets: createKeytarStore(service),
  log: () => {},
  sync: { auto: false, pullPage: 500 },
});
process.stdout.write('ready\n');
const status = await core.sync!.syncNow();
process.stdout.write(`done ${status.state}\n`);
await core.close();
