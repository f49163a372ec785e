import { useState } from 'react';
import type { SyncStatus } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { FormAlert } from '../../components/form';
import { applySyncStatus, changesWaiting, heldText, progressText, statusLine, whenText } from './syncState';

function Row({ term, children, testId }: { term: string; children: string; testId?: string }) {
  return (
    <div className="sync-fact">
      <dt>{term}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

function SyncNow() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function run() {
    if (busy) return;
    setBusy(true);
    setError(null);
    const result = await call('sync.now', {});
    setBusy(false);
    if (result.ok) applySyncStatus(result.value);
    else setError(summaryOf(result.error));
  }
  return (
    <>
      <FormAlert message={error} testId="sync-now-error" />
      <div className="actions">
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void run()}>
          {busy ? 'Syncing…' : 'Sync now'}
        </button>
      </div>
    </>
  );
}

/** Everything main says about sync on this workstation, and "Sync now". */
export function SyncStatusPanel({ status }: { status: SyncStatus }) {
  const configured = status.state !== 'not-configured';
  return (
    <section className="card form-card" aria-labelledby="sync-status-title" data-testid="sync-status">
      <h2 id="sync-status-title">Status</h2>
      <p className="sync-status-line" data-testid="sync-status-line">
        {statusLine(status)}
      </p>
      {status.error ? (
        <div className="alert alert-error" data-testid="sync-status-error">
          <strong>The last sync did not finish.</strong>
          <p>{status.error}</p>
        </div>
      ) : null}
      {configured ? (
        <>
          <dl className="sync-facts">
            <Row term="Server" testId="sync-server">
              {status.serverUrl ?? 'Unknown'}
            </Row>
            <Row term="This workstation" testId="sync-device">
              {status.deviceName ?? 'Unnamed'}
            </Row>
            <Row term="Last sync" testId="sync-last">
              {whenText(status.lastSyncAt)}
            </Row>
            <Row term="Waiting to be sent" testId="sync-pending">
              {status.pending === 0 ? 'Nothing, all changes sent' : changesWaiting(status.pending)}
            </Row>
            <Row term="Received, not applied yet" testId="sync-held">
              {heldText(status.held)}
            </Row>
            {status.initialSync ? (
              <Row term="First sync" testId="sync-initial">
                {progressText(status.initialSync)}
              </Row>
            ) : null}
          </dl>
          {status.initialSync ? <InitialProgress progress={status.initialSync} /> : null}
          <SyncNow />
        </>
      ) : (
        <p className="muted">
          This workstation is not connected to a sync server: its records stay on this computer only.
        </p>
      )}
    </section>
  );
}

export function InitialProgress({ progress }: { progress: NonNullable<SyncStatus['initialSync']> }) {
  const total = Math.max(progress.total, progress.applied, 1);
  return (
    <progress
      className="sync-progress"
      max={total}
      value={progress.applied}
      aria-label="Records copied from the clinic"
    />
  );
}
