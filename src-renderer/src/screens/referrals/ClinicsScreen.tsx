import { useCallback, useEffect, useState } from 'react';
import type { ClinicCardView, OwnClinicCard } from '../../../../src-shared/referral';
import { call, summaryOf } from '../../api';
import { FormAlert } from '../../components/form';
import { useDownload } from '../doctor/download';
import { fileAsText, wordsText } from './files';
import './referrals.css';

/**
 * Admin → Clinics: this clinic's card to give out, other clinics' cards to import, and the
 * fingerprint words to compare by phone or in person before a card is confirmed.
 */
export function ClinicsScreen() {
  const [own, setOwn] = useState<OwnClinicCard | null>(null);
  const [cards, setCards] = useState<ClinicCardView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [imported, setImported] = useState<ClinicCardView | null>(null);
  const download = useDownload();

  const reload = useCallback(async () => {
    const r = await call('referrals.listClinics', {});
    if (r.ok) setCards(r.value);
    else setError(summaryOf(r.error));
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);

  async function exportCard() {
    setError(null);
    const r = await call('referrals.clinicCard', {});
    if (!r.ok) return setError(summaryOf(r.error));
    setOwn(r.value);
    download.start(new Blob([r.value.json], { type: 'application/json' }), r.value.fileName);
  }

  async function importCard(file: File | undefined) {
    if (!file) return;
    setError(null);
    setImported(null);
    const r = await call('referrals.importCard', { json: await fileAsText(file) });
    if (!r.ok) return setError(summaryOf(r.error));
    setImported(r.value);
    await reload();
  }

  async function confirm(id: string) {
    setError(null);
    const r = await call('referrals.confirmCard', { id });
    if (!r.ok) return setError(summaryOf(r.error));
    if (imported?.id === id) setImported(r.value);
    await reload();
  }

  return (
    <section className="page referrals-screen" aria-labelledby="clinics-title">
      <div className="page-head">
        <h1 id="clinics-title">Clinics</h1>
      </div>
      <FormAlert message={error} testId="clinics-error" />
      <section className="card" aria-labelledby="own-card-title">
        <h2 id="own-card-title">This clinic’s card</h2>
        <p className="muted">
          Give this file to a clinic that will send you referrals. They will ask you to read out its
          fingerprint words.
        </p>
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => void exportCard()}
          data-testid="export-card"
        >
          Export clinic card
        </button>
        {own ? (
          <p className="fingerprint" data-testid="own-words">
            {wordsText(own.words)}
          </p>
        ) : null}
        {download.element}
      </section>
      <section className="card" aria-labelledby="import-card-title">
        <h2 id="import-card-title">Import another clinic’s card</h2>
        <label className="field">
          <span>Clinic card file</span>
          <input
            type="file"
            accept=".json,application/json"
            onChange={(e) => void importCard(e.target.files?.[0])}
            data-testid="import-card"
          />
        </label>
        {imported ? (
          <div className="card-preview" data-testid="imported-card">
            <p>
              <strong>{imported.name}</strong>: compare these words with the other clinic (by phone or in
              person) before confirming.
            </p>
            <p className="fingerprint" data-testid="imported-words">
              {wordsText(imported.words)}
            </p>
            {imported.confirmedAt === null ? (
              <button type="button" className="btn btn-primary" onClick={() => void confirm(imported.id)}>
                The words match: confirm
              </button>
            ) : (
              <p role="status">Confirmed.</p>
            )}
          </div>
        ) : null}
      </section>
      <section className="card" aria-labelledby="cards-title">
        <h2 id="cards-title">Other clinics</h2>
        {cards.length === 0 ? <p className="muted">No clinic cards imported yet.</p> : null}
        <ul className="plain-list" data-testid="clinic-cards">
          {cards.map((c) => (
            <li key={c.id} data-testid="clinic-card-row">
              <strong>{c.name}</strong> <span className="fingerprint">{wordsText(c.words)}</span>{' '}
              {c.confirmedAt === null ? (
                <>
                  <span className="badge badge-warn">Not confirmed</span>{' '}
                  <button type="button" className="btn btn-quiet" onClick={() => void confirm(c.id)}>
                    Confirm
                  </button>
                </>
              ) : (
                <span className="badge">
                  Confirmed by {c.confirmedBy} on {new Date(c.confirmedAt).toLocaleDateString()}
                </span>
              )}
            </li>
          ))}
        </ul>
      </section>
    </section>
  );
}
