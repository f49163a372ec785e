import { useCallback, useEffect, useRef, useState } from 'react';
import type { PatientRecord, PatientSummary } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { FormAlert } from '../../components/form';
import { ageSex, SEX_LABELS } from '../../components/format';
import { BookAppointmentForm } from '../appointments/BookAppointmentForm';
import { CheckInForm } from '../queue/CheckInForm';
import { CorrectPatient } from './CorrectPatient';
import { NationalIdReveal } from './NationalIdReveal';
import { PatientPhoto } from './PatientPhoto';
import { PatientRecordView } from './PatientRecordView';
import { SlipLink } from './SlipLink';

type Work = 'none' | 'check-in' | 'book' | 'correct';

export function summaryOfRecord(r: PatientRecord): PatientSummary {
  return {
    id: r.id,
    patientNumber: r.patientNumber,
    name: [r.givenNames, r.familyName].filter(Boolean).join(' '),
    ageYears: r.ageYears,
    ageEstimated: r.birth.kind === 'approximate',
    sex: r.sex,
    nationalIdMasked: r.nationalIdMasked,
    lastVisit: r.lastVisit,
  };
}

function usePatientRecord(id: string) {
  const [record, setRecord] = useState<PatientRecord | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    const result = await call('patients.get', { id });
    if (result.ok) {
      setRecord(result.value);
      setError(null);
    } else {
      setError(summaryOf(result.error));
    }
  }, [id]);
  useEffect(() => {
    setRecord(null);
    void reload();
  }, [reload]);
  return { record, setRecord, error, reload };
}

interface PatientPanelProps {
  patientId: string;
  /** Set right after registration: the new number is shown prominently. */
  newNumber: string | null;
  onClose: () => void;
  /** The record changed (a correction): search results may show old values. */
  onChanged: () => void;
}

function Actions({ work, setWork }: { work: Work; setWork: (w: Work) => void }) {
  const item = (w: Work, label: string) => (
    <button
      type="button"
      className={work === w ? 'btn btn-primary' : 'btn'}
      aria-pressed={work === w}
      onClick={() => setWork(work === w ? 'none' : w)}
    >
      {label}
    </button>
  );
  return (
    <>
      {item('check-in', 'Check in')}
      {item('book', 'Book appointment')}
      {item('correct', 'Correct details')}
    </>
  );
}

export function PatientPanel({ patientId, newNumber, onClose, onChanged }: PatientPanelProps) {
  const { record, setRecord, error, reload } = usePatientRecord(patientId);
  const [work, setWork] = useState<Work>('none');
  const [notice, setNotice] = useState<string | null>(null);
  const [visitId, setVisitId] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const loaded = record !== null;
  useEffect(() => {
    if (loaded) heading.current?.focus();
  }, [loaded]);

  if (!record) {
    return error ? (
      <FormAlert message={error} testId="patient-load-error" />
    ) : (
      <p className="muted">Loading patient…</p>
    );
  }
  const summary = summaryOfRecord(record);
  const done = (message: string) => {
    setWork('none');
    setNotice(message);
  };
  return (
    <section className="patient-panel" aria-labelledby="patient-panel-title" data-testid="patient-panel">
      {newNumber ? (
        <div className="alert alert-success registered" role="status">
          Registered. Patient number <strong data-testid="registered-number">{newNumber}</strong>
        </div>
      ) : null}
      <div className="card patient-head">
        <PatientPhoto
          patientId={record.id}
          name={summary.name}
          hasPhoto={record.hasPhoto}
          onChanged={() => void reload()}
        />
        <div className="patient-id">
          <h2 id="patient-panel-title" ref={heading} tabIndex={-1}>
            {summary.name}
          </h2>
          <p className="patient-facts">
            <span className="mono patient-number" data-testid="patient-number">
              {record.patientNumber}
            </span>
            <span title={`${SEX_LABELS[record.sex]}, ${summary.ageEstimated ? 'estimated ' : ''}age`}>
              {ageSex(summary)}
            </span>
          </p>
          <p className="patient-facts">
            <span className="muted">Aadhaar</span>
            <NationalIdReveal key={record.updatedAt} patientId={record.id} masked={record.nationalIdMasked} />
          </p>
          <div className="actions wrap">
            <Actions work={work} setWork={setWork} />
            <SlipLink patientId={record.id} visitId={visitId} />
            <button type="button" className="btn btn-quiet" onClick={onClose}>
              Close
            </button>
          </div>
        </div>
      </div>
      <p className="status-line" role="status" data-testid="patient-notice">
        {notice ?? ''}
      </p>
      {work === 'check-in' ? (
        <CheckInForm
          patient={summary}
          onDone={(visit) => {
            setVisitId(visit.id);
            done(`Checked in: token ${visit.token}${visit.doctorName ? ` for ${visit.doctorName}` : ''}.`);
          }}
          onCancel={() => setWork('none')}
        />
      ) : null}
      {work === 'book' ? (
        <BookAppointmentForm
          patient={summary}
          onDone={(a) => done(`Appointment booked with ${a.doctorName} on ${a.date} at ${a.start}.`)}
          onCancel={() => setWork('none')}
        />
      ) : null}
      {work === 'correct' ? (
        <CorrectPatient
          record={record}
          onSaved={(saved) => {
            setRecord(saved);
            onChanged();
            done('Details corrected.');
          }}
          onCancel={() => setWork('none')}
        />
      ) : null}
      <div className="card record-card">
        <PatientRecordView record={record} />
      </div>
    </section>
  );
}
