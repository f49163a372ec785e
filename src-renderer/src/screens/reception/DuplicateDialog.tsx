import type { RegistrationResult } from '../../../../src-shared/types';
import { Dialog } from '../../components/Dialog';
import { ageSex, lastVisitText } from '../../components/format';

export type Candidate = Extract<RegistrationResult, { status: 'possible-duplicates' }>['candidates'][number];

interface DuplicateDialogProps {
  candidates: Candidate[];
  busy: boolean;
  onUse: (candidate: Candidate) => void;
  onRegisterNew: () => void;
  onBack: () => void;
}

/** Nothing has been registered yet: reception picks an existing patient or confirms a new one. */
export function DuplicateDialog({ candidates, busy, onUse, onRegisterNew, onBack }: DuplicateDialogProps) {
  const title = candidates.length === 1 ? 'Possible duplicate' : `${candidates.length} possible duplicates`;
  return (
    <Dialog title={title} onClose={onBack} testId="duplicate-dialog">
      <p>
        This looks like someone already registered. Check with the patient before registering them again:
        nothing has been saved yet.
      </p>
      <ul className="candidates">
        {candidates.map((c) => (
          <li key={c.id} className="candidate" data-testid="duplicate-candidate">
            <div className="candidate-main">
              <span className="result-name">{c.name}</span>
              <span>{ageSex(c)}</span>
              <span className="mono">{c.patientNumber}</span>
              <span className="mono muted">{c.nationalIdMasked || 'No Aadhaar'}</span>
              <span className="muted">{lastVisitText(c.lastVisit)}</span>
            </div>
            <ul className="reasons">
              {c.reasons.map((reason) => (
                <li key={reason}>{reason}</li>
              ))}
            </ul>
            <button type="button" className="btn btn-small" onClick={() => onUse(c)} disabled={busy}>
              Use this patient
              <span className="visually-hidden">
                {' '}
                ({c.name}, {c.patientNumber})
              </span>
            </button>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" className="btn btn-primary" onClick={onRegisterNew} disabled={busy}>
          {busy ? 'Registering…' : 'Register as new'}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onBack} disabled={busy}>
          Back to the form
        </button>
      </div>
    </Dialog>
  );
}
