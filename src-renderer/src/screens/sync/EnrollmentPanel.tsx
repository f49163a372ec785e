import { useEffect, useState } from 'react';
import type { EnrollmentCode } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { FormAlert } from '../../components/form';
import { clockTime, codeGroups } from './syncState';

/** True once `at` has passed; re-checked every few seconds. */
function useExpired(at: number): boolean {
  const [expired, setExpired] = useState(() => Date.now() >= at);
  useEffect(() => {
    setExpired(Date.now() >= at);
    const timer = window.setInterval(() => setExpired(Date.now() >= at), 5_000);
    return () => window.clearInterval(timer);
  }, [at]);
  return expired;
}

function CodeCard({ enrollment, onHide }: { enrollment: EnrollmentCode; onHide: () => void }) {
  const expired = useExpired(enrollment.expiresAt);
  const groups = codeGroups(enrollment.code);
  const until = clockTime(enrollment.expiresAt);
  return (
    <div className={expired ? 'sync-code sync-code-expired' : 'sync-code'} data-testid="enrollment">
      <p className="visually-hidden">Enrollment code, in groups of four:</p>
      <p className="sync-code-groups" data-testid="enrollment-code">
        {groups.map((group, i) => (
          // Groups may repeat, so the position is part of the key.
          // biome-ignore lint/suspicious/noArrayIndexKey: the list is fixed for this code
          <span key={`${i}-${group}`}>{group}</span>
        ))}
      </p>
      {expired ? (
        <p className="alert alert-warning" data-testid="enrollment-expired">
          This code expired at {until}. Make a new one if the workstation still needs to join.
        </p>
      ) : (
        <p data-testid="enrollment-instructions">
          Enter this code on the new workstation's setup screen under “Join an existing clinic”. It works once
          and expires at {until}.
        </p>
      )}
      <div className="actions">
        <button type="button" className="btn" onClick={onHide}>
          Done, hide the code
        </button>
      </div>
    </div>
  );
}

/** "Add a workstation": a one-time, expiring code for a new workstation to join with. */
export function EnrollmentPanel() {
  const [enrollment, setEnrollment] = useState<EnrollmentCode | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function create() {
    if (busy) return;
    setBusy(true);
    setError(null);
    const result = await call('sync.createEnrollment', {});
    setBusy(false);
    if (result.ok) setEnrollment(result.value);
    else setError(summaryOf(result.error));
  }
  return (
    <section className="card form-card" aria-labelledby="enroll-title">
      <h2 id="enroll-title">Add a workstation</h2>
      <p className="muted">
        Another computer in the clinic can join with a one-time code. It receives the clinic's records and
        keys from the server, and staff log in there with their usual accounts.
      </p>
      <FormAlert message={error} testId="enrollment-error" />
      {enrollment ? (
        <CodeCard enrollment={enrollment} onHide={() => setEnrollment(null)} />
      ) : (
        <div className="actions">
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void create()}>
            {busy ? 'Making a code…' : 'Add a workstation'}
          </button>
        </div>
      )}
    </section>
  );
}
