import { useCallback, useEffect, useState } from 'react';
import type { InboxItem, ReferralPreview } from '../../../../src-shared/referral';
import { call, summaryOf } from '../../api';
import { FormAlert } from '../../components/form';
import { SEX_LABELS } from '../../components/format';
import { useApp } from '../../store';
import { fileAsBase64, wordsText } from './files';
import './referrals.css';

function birthText(p: NonNullable<ReferralPreview['patient']>): string {
  return p.birth.kind === 'exact' ? p.birth.date : `about ${p.birth.ageYears} years`;
}

/** One opened referral: who sent it (verified), the patient, what came with it, and the
 *  receptionist's choice to register a new patient or use one already here. */
function Preview({ preview, onDone }: { preview: ReferralPreview; onDone: (message: string) => void }) {
  const role = useApp((s) => s.user?.role);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const p = preview.patient;

  async function accept(decision: { mode: 'register-new' } | { mode: 'use-existing'; patientId: string }) {
    if (busy) return;
    setBusy(true);
    setError(null);
    const r = await call('referrals.accept', { id: preview.id, decision });
    setBusy(false);
    if (!r.ok) return setError(summaryOf(r.error));
    onDone(
      `Referral filed for patient ${r.value.patientId.slice(0, 8)} (${r.value.attachments} attachments).`,
    );
  }

  return (
    <section className="card referral-preview" aria-labelledby="preview-title" data-testid="referral-preview">
      <h2 id="preview-title">Referral from {preview.from.name}</h2>
      <p className="small" data-testid="preview-sender">
        Signature verified against the confirmed card of {preview.from.name} ({wordsText(preview.from.words)}
        ). Sent {new Date(preview.sentAt).toLocaleString()}.
      </p>
      {preview.note ? (
        <p>
          <strong>Note:</strong> <span data-testid="preview-note">{preview.note}</span>
        </p>
      ) : null}
      <FormAlert message={error} testId="preview-error" />
      {preview.errors.length > 0 ? (
        <ul className="alert alert-error">
          {preview.errors.map((e) => (
            <li key={`${e.resource}-${e.field}`}>
              {e.resource} {e.field}: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
      {p ? (
        <dl data-testid="preview-patient">
          <dt>Name</dt>
          <dd data-testid="preview-name">
            {p.givenNames} {p.familyName}
          </dd>
          <dt>Sex</dt>
          <dd>{SEX_LABELS[p.sex]}</dd>
          <dt>Born</dt>
          <dd data-testid="preview-birth">{birthText(p)}</dd>
          <dt>Phone</dt>
          <dd>{p.phones.map((ph) => ph.number).join(', ') || 'None'}</dd>
        </dl>
      ) : null}
      <p className="small">
        Included: {preview.counts.allergies} allergies, {preview.counts.visits} visits,{' '}
        {preview.counts.observations} observations, {preview.counts.prescriptions} prescriptions,{' '}
        {preview.attachments.length} attachments.
      </p>
      {preview.status === 'accepted' ? (
        <p role="status">This referral has been filed.</p>
      ) : role === 'receptionist' && preview.errors.length === 0 ? (
        <div className="actions">
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy}
            onClick={() => void accept({ mode: 'register-new' })}
          >
            Register as a new patient
          </button>
          {preview.candidates.map((c) => (
            <button
              key={c.id}
              type="button"
              className="btn"
              disabled={busy}
              onClick={() => void accept({ mode: 'use-existing', patientId: c.id })}
            >
              Use existing: {c.name} ({c.patientNumber})
            </button>
          ))}
        </div>
      ) : null}
    </section>
  );
}

/** Referrals received: the inbox (fetched from the clinic's mailbox when connected) and
 *  package files handed over on a drive or by mail. */
export function ReferralsScreen() {
  const [items, setItems] = useState<InboxItem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [preview, setPreview] = useState<ReferralPreview | null>(null);

  const reload = useCallback(async () => {
    const r = await call('referrals.inbox', {});
    if (r.ok) setItems(r.value);
    else setError(summaryOf(r.error));
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);

  async function open(input: { inboxId: string | null; file: string | null }) {
    setError(null);
    setNotice(null);
    setPreview(null);
    const r = await call('referrals.open', input);
    if (!r.ok) return setError(summaryOf(r.error));
    setPreview(r.value);
    await reload();
  }

  async function openFile(file: File | undefined) {
    if (!file) return;
    await open({ inboxId: null, file: await fileAsBase64(file) });
  }

  return (
    <section className="page referrals-screen" aria-labelledby="referrals-title">
      <div className="page-head">
        <h1 id="referrals-title">Referrals</h1>
      </div>
      <FormAlert message={error} testId="referrals-error" />
      {notice ? (
        <p role="status" data-testid="referrals-notice">
          {notice}
        </p>
      ) : null}
      <section className="card" aria-labelledby="open-file-title">
        <h2 id="open-file-title">Open a referral file</h2>
        <label className="field">
          <span>Referral package</span>
          <input
            type="file"
            onChange={(e) => void openFile(e.target.files?.[0])}
            data-testid="open-referral-file"
          />
        </label>
      </section>
      {preview ? (
        <Preview
          preview={preview}
          onDone={(message) => {
            setPreview(null);
            setNotice(message);
            void reload();
          }}
        />
      ) : null}
      <section className="card" aria-labelledby="inbox-title">
        <h2 id="inbox-title">Inbox</h2>
        <button type="button" className="btn btn-quiet" onClick={() => void reload()}>
          Check for new referrals
        </button>
        {items.length === 0 ? <p className="muted">No referrals received.</p> : null}
        <ul className="plain-list" data-testid="referral-inbox">
          {items.map((i) => (
            <li key={i.id} data-testid="inbox-row">
              <strong>{i.fromClinic ?? 'Unknown clinic'}</strong> · {new Date(i.receivedAt).toLocaleString()}{' '}
              · {i.source === 'mailbox' ? 'mailbox' : 'file'} · {i.status === 'new' ? 'new' : 'filed'}{' '}
              <button
                type="button"
                className="btn btn-quiet"
                onClick={() => void open({ inboxId: i.id, file: null })}
              >
                Open
              </button>
            </li>
          ))}
        </ul>
      </section>
    </section>
  );
}
