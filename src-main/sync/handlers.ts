import { Failure } from '../ipc/failure.js';
import type { Handlers } from '../ipc/handler-types.js';

// PLACEHOLDER while the sync engine is written (issue 4): every channel refuses plainly.
const notYet = () => {
  throw new Failure('CONFLICT', 'Sync is not available in this version yet.');
};

export const syncHandlers: Pick<
  Handlers,
  | 'setup.joinClinic'
  | 'sync.status'
  | 'sync.now'
  | 'sync.connect'
  | 'sync.createEnrollment'
  | 'sync.devices'
  | 'sync.revokeDevice'
  | 'sync.conflicts'
> = {
  'setup.joinClinic': notYet,
  'sync.status': () => ({
    state: 'not-configured',
    serverUrl: null,
    deviceName: null,
    lastSyncAt: null,
    pending: 0,
    error: null,
    initialSync: null,
  }),
  'sync.now': notYet,
  'sync.connect': notYet,
  'sync.createEnrollment': notYet,
  'sync.devices': notYet,
  'sync.revokeDevice': notYet,
  'sync.conflicts': () => [],
};
