import { useState } from 'react';
import type { ClinicCardView, ReferralInclude } from '../../../../src-shared/referral';
import { call, summaryOf } from '../../api';
import { base64ToBlob } from '../../components/blob';
import { Dialog } from '../../components/Dialog';
import { CheckboxField, FormAlert, SelectField, TextAreaField } from '../../components/form';
import { useDownload } from '../doctor/download';
import { wordsText } from './files';

const PARTS: { key: keyof ReferralInclude; label: string }[] = [
  { key: 'summary', label: 'Summary (problems and allergies)' },
  { key: 'visits', label: 'Visits and vitals' },
  { key: 'prescriptions', label: 'Prescriptions' },
  { key: 'attachments', label: 'Attachments' },
];

/** "Refer patient" on the doctor's chart: choose a confirmed clinic and what to include; the
 *  encrypted package is posted to that clinic's mailbox where possible and always offered
 *  as a file. */
export function ReferAction({ patientId }: { patientId: string }) {
  const [open, setOpen] = useState(false);
  const [clinics, setClinics] = useState<ClinicCardView[] | null>(null);
  const [to, setTo] = useState('');
  const [include, setInclude] = useState<ReferralInclude>({
    summary: true,
    visits: true,
    prescriptions: true,
    attachments: false,
  });
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [result, setResult] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const download = useDownload();

  async function start() {
    setOpen(true);
    setResult(null);
    setError(null);
    const r = await call('referrals.listClinics', {});
    if (!r.ok) return setError(summaryOf(r.error));
    const usable = r.value.filter((c) => c.confirmedAt !== null);
    setClinics(usable);
    setTo(usable[0]?.id ?? '');
  }

  async function send() {
    if (busy || !to) return;
    setBusy(true);
    setError(null);
    setFields({});
    const r = await call('referrals.send', { patientId, toClinicId: to, include, note });
    setBusy(false);
    if (!r.ok) {
      setFields(r.error.fields ?? {});
      return setError(summaryOf(r.error));
    }
    setResult(
      r.value.posted
        ? 'Sent to the clinic’s mailbox. The file is also saved below.'
        : (r.value.notPosted ?? ''),
    );
    download.start(base64ToBlob(r.value.base64, 'application/octet-stream'), r.value.fileName);
  }

  return (
    <>
      <button type="button" className="btn" onClick={() => void start()} data-testid="refer-patient">
        Refer patient
      </button>
      {open ? (
        <Dialog title="Refer patient" onClose={() => setOpen(false)} testId="refer-dialog">
          <FormAlert message={error} testId="refer-error" />
          {clinics && clinics.length === 0 ? (
            <p className="muted">
              No confirmed clinic cards yet: an admin imports and confirms them under Clinics.
            </p>
          ) : null}
          {clinics && clinics.length > 0 ? (
            <>
              <SelectField
                label="Refer to"
                value={to}
                onChange={setTo}
                error={fields.toClinicId}
                options={clinics.map((c) => ({ value: c.id, label: `${c.name} (${wordsText(c.words)})` }))}
              />
              {PARTS.map((p) => (
                <CheckboxField
                  key={p.key}
                  label={p.label}
                  checked={include[p.key]}
                  onChange={(v) => setInclude({ ...include, [p.key]: v })}
                />
              ))}
              <TextAreaField
                label="Note to the other clinic"
                value={note}
                onChange={setNote}
                error={fields.note}
              />
              {result ? (
                <p role="status" data-testid="refer-result">
                  {result}
                </p>
              ) : null}
              {download.element}
              <div className="actions">
                <button
                  type="button"
                  className="btn btn-primary"
                  disabled={busy}
                  onClick={() => void send()}
                  data-testid="refer-send"
                >
                  {busy ? 'Encrypting…' : 'Encrypt and send'}
                </button>
                <button type="button" className="btn btn-quiet" onClick={() => setOpen(false)}>
                  Close
                </button>
              </div>
            </>
          ) : null}
        </Dialog>
      ) : null}
    </>
  );
}
