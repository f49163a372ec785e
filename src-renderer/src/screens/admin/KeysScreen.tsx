import { useCallback, useEffect, useState } from 'react';
import type { KeyStatus } from '../../../../src-shared/contract';
import { call, summaryOf } from '../../api';
import { FormAlert } from '../../components/form';
import { RecoveryKitForm } from './KeysRecoveryKit';

const POLL_MS = 500;

const PHASE_TEXT: Record<NonNullable<KeyStatus['rotation']>['phase'], string> = {
  fields: 'Re-encrypting stored records',
  index: 'Rebuilding the search index',
  retire: 'Checking nothing uses the old key',
  done: 'Rotation finished',
  stuck: 'Rotation could not finish',
};

function when(ms: number): string {
  return new Date(ms).toLocaleString();
}

/** keys.status, polled every 500 ms while a rotation runs (and once otherwise). */
function useKeyStatus() {
  const [status, setStatus] = useState<KeyStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    const result = await call('keys.status', {});
    if (result.ok) {
      setStatus(result.value);
      setError(null);
    } else setError(summaryOf(result.error));
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const running = status?.rotation?.running ?? false;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [running, load]);
  return { status, setStatus, error, load };
}

function RotationProgress({ rotation }: { rotation: NonNullable<KeyStatus['rotation']> }) {
  const total = Math.max(rotation.total, rotation.done, 1);
  const percent = rotation.phase === 'done' ? 100 : Math.floor((rotation.done / total) * 100);
  return (
    <div className="key-rotation" data-testid="rotation">
      <p role="status" data-testid="rotation-phase">
        {PHASE_TEXT[rotation.phase]} (version {rotation.from.join(', ')} → {rotation.to}){' '}
        {rotation.phase === 'done' && rotation.finishedAt !== null ? `at ${when(rotation.finishedAt)}` : ''}
      </p>
      <progress
        className="sync-progress"
        max={total}
        value={rotation.phase === 'done' ? total : rotation.done}
        aria-label="Key rotation progress"
        data-testid="rotation-progress"
      />
      <p className="muted" data-testid="rotation-count">
        {rotation.done} of {total} records and files checked ({percent}%), {rotation.resealed} re-encrypted
        {rotation.unreadable > 0 ? `, ${rotation.unreadable} could not be opened` : ''}
      </p>
      {rotation.message ? <FormAlert message={rotation.message} testId="rotation-message" /> : null}
    </div>
  );
}

function RotateControl({ status, onStarted }: { status: KeyStatus; onStarted: (s: KeyStatus) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const blocked = status.rotation?.running || status.rotation?.phase === 'stuck';
  async function rotate() {
    setBusy(true);
    setError(null);
    const result = await call('keys.rotate', {});
    setBusy(false);
    setConfirming(false);
    if (result.ok) onStarted(result.value);
    else setError(summaryOf(result.error));
  }
  return (
    <div>
      <FormAlert message={error} testId="rotate-error" />
      {confirming ? (
        <fieldset className="row-actions sync-confirm">
          <legend className="visually-hidden">Confirm key rotation</legend>
          <span>
            Make key version {Math.max(...status.versions.map((v) => v.version)) + 1} and re-encrypt every
            record and attachment under it? Work can continue meanwhile.
            {status.syncConnected
              ? " This workstation syncs first, then sends the new key to the clinic's other workstations (wrapped under the current key; the server never sees it). Each re-encrypts its own records when it receives it."
              : ''}
          </span>
          <button
            type="button"
            className="btn btn-small sync-danger"
            disabled={busy}
            onClick={() => void rotate()}
          >
            {busy ? 'Starting…' : 'Yes, rotate'}
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={busy}
            onClick={() => setConfirming(false)}
          >
            Cancel
          </button>
        </fieldset>
      ) : (
        <div className="actions">
          <button
            type="button"
            className="btn btn-primary"
            disabled={blocked}
            onClick={() => setConfirming(true)}
          >
            Rotate key
          </button>
        </div>
      )}
    </div>
  );
}

export function KeysScreen() {
  const { status, setStatus, error, load } = useKeyStatus();
  return (
    <section aria-labelledby="keys-title" className="page">
      <div className="page-head">
        <h1 id="keys-title">Keys</h1>
      </div>
      <p className="card form-card" role="note" data-testid="keychain-warning">
        The clinic data key lives only in each workstation's keychain. Without a recovery kit, losing every
        workstation's keychain loses the clinic's data for good. Export a recovery kit, keep it offline, and
        export a new one after every key rotation.
      </p>
      <FormAlert message={error} testId="keys-load-error" />
      {status ? (
        <>
          <section className="card form-card" aria-labelledby="versions-title">
            <h2 id="versions-title">Clinic data key</h2>
            <ul data-testid="key-versions">
              {status.versions.map((v) => (
                <li key={v.version}>
                  Version {v.version}: {v.status === 'active' ? 'active for new records' : 'retiring'},
                  created {when(v.createdAt)}
                </li>
              ))}
            </ul>
            <p className="muted" data-testid="kit-exported">
              {status.recoveryKitExportedAt === null
                ? 'No recovery kit has been exported from this workstation.'
                : `Recovery kit last exported ${when(status.recoveryKitExportedAt)}.`}
            </p>
            {status.rotation ? <RotationProgress rotation={status.rotation} /> : null}
            <RotateControl status={status} onStarted={setStatus} />
          </section>
          <RecoveryKitForm onExported={() => void load()} />
        </>
      ) : null}
    </section>
  );
}
