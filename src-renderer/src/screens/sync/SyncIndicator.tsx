import type { SyncState } from '../../../../src-shared/types';
import { statusLine, useSync, useSyncPolling } from './syncState';
import './sync.css';

const TONE: Record<SyncState, string> = {
  'not-configured': 'sync-quiet',
  online: 'sync-ok',
  syncing: 'sync-busy',
  offline: 'sync-warn',
  error: 'sync-bad',
};

/** The header's one line about sync, for every role; polls while the shell is mounted. */
export function SyncIndicator() {
  useSyncPolling();
  const status = useSync((s) => s.status);
  const problem = useSync((s) => s.problem);
  let text = 'Checking sync…';
  let tone = 'sync-quiet';
  if (status) {
    text = statusLine(status);
    tone = TONE[status.state];
  } else if (problem) {
    text = 'Sync status unavailable';
  }
  return (
    <span className={`sync-indicator ${tone}`} role="status" aria-live="polite" data-testid="sync-indicator">
      <span className="sync-dot" aria-hidden="true" />
      {text}
    </span>
  );
}
