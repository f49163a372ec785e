import { useState } from 'react';
import type { PatientSummary } from '../../../../src-shared/types';
import { PatientSearch } from '../../components/PatientSearch';
import { useApp } from '../../store';
import { ExportActions } from './ExportActions';
import { ImportPanel } from './ImportPanel';
import './interop.css';

/** Exchange (issue 8): FHIR R4 and HL7 v2 import for reception, export for every role. */
export function ExchangeScreen() {
  const role = useApp((s) => s.user?.role);
  const [patient, setPatient] = useState<PatientSummary | null>(null);
  if (!role) return null;
  return (
    <section className="page interop-screen" aria-labelledby="exchange-title">
      <div className="page-head">
        <h1 id="exchange-title">Exchange</h1>
      </div>
      {role === 'receptionist' ? (
        <div className="interop-imports">
          <ImportPanel kind="fhir" />
          <ImportPanel kind="hl7" />
        </div>
      ) : null}
      <section className="card" aria-labelledby="interop-export-title">
        <h2 id="interop-export-title">Export a patient</h2>
        <PatientSearch onOpen={setPatient} />
        {patient ? (
          <div data-testid="export-patient">
            <p>
              {patient.name} · {patient.patientNumber}
            </p>
            <ExportActions patientId={patient.id} viewerRole={role} />
          </div>
        ) : null}
      </section>
    </section>
  );
}
