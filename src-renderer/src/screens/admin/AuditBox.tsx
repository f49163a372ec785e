import { useState } from 'react';
import type { AuditVerification } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { FormAlert } from '../../components/form';

function Verdict({ result }: { result: AuditVerification }) {
  if (result.ok) {
    return (
      <div className="alert alert-success" role="status" data-testid="audit-result">
        Audit trail intact: {result.checked} {result.checked === 1 ? 'entry' : 'entries'} checked.
      </div>
    );
  }
  const broken = result.firstBroken;
  return (
    <div className="alert alert-danger" role="alert" data-testid="audit-result">
      <strong>Audit trail broken.</strong>{' '}
      {broken
        ? `First broken link at entry ${broken.seq}: ${broken.reason}.`
        : 'The broken link was not named.'}{' '}
      {result.checked} {result.checked === 1 ? 'entry' : 'entries'} checked.
    </div>
  );
}

export function AuditBox() {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<AuditVerification | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function verify() {
    setBusy(true);
    setError(null);
    setResult(null);
    const answer = await call('audit.verify', {});
    setBusy(false);
    if (answer.ok) setResult(answer.value);
    else setError(summaryOf(answer.error));
  }

  return (
    <section className="card form-card" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit trail</h2>
      <p className="muted">
        Every sign-in and administrative change is chained to the one before it. Verifying re-computes the
        chain and names the first entry that does not match.
      </p>
      <FormAlert message={error} testId="audit-error" />
      {result ? <Verdict result={result} /> : null}
      <div className="actions">
        <button type="button" className="btn" onClick={() => void verify()} disabled={busy}>
          {busy ? 'Verifying…' : 'Verify chain'}
        </button>
      </div>
    </section>
  );
}
