import { useEffect, useRef, useState } from 'react';
import { PatientSearch } from '../../components/PatientSearch';
import { PatientPanel } from './PatientPanel';
import { RegisterPatient } from './RegisterPatient';
import './reception.css';

type View =
  | { kind: 'none' }
  | { kind: 'register' }
  | { kind: 'patient'; id: string; newNumber: string | null };

/** Alt+N from anywhere on the screen starts a registration (by key position, so any layout works). */
function useNewPatientShortcut(onNew: () => void) {
  const latest = useRef(onNew);
  latest.current = onNew;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === 'KeyN') {
        event.preventDefault();
        latest.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

export function ReceptionScreen() {
  const [view, setView] = useState<View>({ kind: 'none' });
  const [refreshKey, setRefreshKey] = useState(0);
  const searchBox = useRef<HTMLInputElement>(null);
  // An open registration is kept: pressing Alt+N twice must not wipe what was typed.
  const startRegistration = () => {
    if (view.kind === 'register') document.querySelector<HTMLInputElement>('.patient-form input')?.focus();
    else setView({ kind: 'register' });
  };
  useNewPatientShortcut(startRegistration);
  const close = () => {
    setView({ kind: 'none' });
    searchBox.current?.focus();
  };

  return (
    <section aria-labelledby="reception-title" className="page reception">
      <div className="page-head">
        <h1 id="reception-title">Reception</h1>
        <button
          type="button"
          className="btn btn-primary"
          onClick={startRegistration}
          aria-keyshortcuts="Alt+N"
        >
          Register new patient <span className="kbd">Alt+N</span>
        </button>
      </div>
      <div className="reception-layout">
        <aside className="card reception-search" aria-label="Patient search">
          <PatientSearch
            inputRef={searchBox}
            autoFocus
            refreshKey={refreshKey}
            onOpen={(p) => setView({ kind: 'patient', id: p.id, newNumber: null })}
          />
        </aside>
        <div className="reception-work">
          {view.kind === 'none' ? (
            <div className="card reception-empty">
              <p>Find a patient on the left, or register a new one.</p>
              <p className="muted">
                Arrow keys move through the results; Enter opens the patient. Alt+N registers.
              </p>
            </div>
          ) : null}
          {view.kind === 'register' ? (
            <RegisterPatient
              onRegistered={(id, newNumber) => {
                setRefreshKey((k) => k + 1);
                setView({ kind: 'patient', id, newNumber });
              }}
              onUseExisting={(id) => setView({ kind: 'patient', id, newNumber: null })}
              onCancel={close}
            />
          ) : null}
          {view.kind === 'patient' ? (
            <PatientPanel
              key={view.id}
              patientId={view.id}
              newNumber={view.newNumber}
              onClose={close}
              onChanged={() => setRefreshKey((k) => k + 1)}
            />
          ) : null}
        </div>
      </div>
    </section>
  );
}
