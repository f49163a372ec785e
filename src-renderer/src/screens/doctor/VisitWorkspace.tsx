import { useCallback, useEffect, useState } from 'react';
import type { PatientChart } from '../../../../src-shared/clinical/chart';
import type { AllergyRecord } from '../../../../src-shared/clinical/prescribing';
import type { VisitSummary } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { FormAlert } from '../../components/form';
import { Attachments } from './Attachments';
import { ChartItems } from './ChartItems';
import { ConsultationForm } from './ConsultationForm';
import { PatientSummaryCard } from './PatientSummaryCard';
import { PrescriptionPanel } from './PrescriptionPanel';
import { Timeline } from './Timeline';
import { useConsultation } from './useConsultation';
import { VitalsChart } from './VitalsChart';

/** What main checks a prescription against: the chart's allergies and those told at registration. */
function allergyRecords(chart: PatientChart): AllergyRecord[] {
  return [
    ...chart.allergies.flatMap((a) =>
      a.kind === 'allergy' ? [{ substance: a.substance, status: a.status }] : [],
    ),
    ...chart.patient.registeredAllergies.map((substance) => ({ substance, status: 'active' as const })),
  ];
}

function useChart(patientId: string) {
  const [chart, setChart] = useState<PatientChart | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    const result = await call('chart.open', { patientId });
    if (result.ok) {
      setChart(result.value);
      setError(null);
    } else setError(summaryOf(result.error));
  }, [patientId]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { chart, error, reload };
}

interface VisitWorkspaceProps {
  visit: VisitSummary;
  onClose: () => void;
}

/** One open visit: the patient's chart beside this visit's consultation and prescription. */
export function VisitWorkspace({ visit, onClose }: VisitWorkspaceProps) {
  const { chart, error, reload } = useChart(visit.patientId);
  const consultation = useConsultation(visit.id);
  const current = chart?.timeline.find((t) => t.visitId === visit.id);
  return (
    <section aria-labelledby="visit-title" className="page doctor-visit">
      <div className="page-head">
        <h1 id="visit-title">
          Token {visit.token}: {visit.patientName}
        </h1>
        <button type="button" className="btn" onClick={onClose}>
          Back to queue
        </button>
      </div>
      <FormAlert message={error} testId="chart-error" />
      {chart === null && !error ? <p className="muted">Opening the chart…</p> : null}
      <div className="doctor-columns">
        <div className="doctor-column">
          {chart ? (
            <>
              <PatientSummaryCard chart={chart} />
              <ChartItems chart={chart} onSaved={() => void reload()} />
              <VitalsChart points={chart.vitals} />
              <Attachments
                patientId={chart.patient.id}
                visitId={visit.id}
                attachments={chart.attachments}
                onUploaded={() => void reload()}
              />
              <Timeline entries={chart.timeline.filter((t) => t.visitId !== visit.id)} />
            </>
          ) : null}
        </div>
        <div className="doctor-column">
          <ConsultationForm
            state={consultation}
            patientId={visit.patientId}
            doctorId={visit.doctorId}
            onFinished={onClose}
          />
          {chart && consultation.loaded ? (
            <PrescriptionPanel
              visitId={visit.id}
              allergies={allergyRecords(chart)}
              signed={current?.prescriptions ?? []}
              advice={consultation.values.advice}
              followUp={consultation.values.followUp}
              onSigned={() => void reload()}
            />
          ) : null}
        </div>
      </div>
    </section>
  );
}
