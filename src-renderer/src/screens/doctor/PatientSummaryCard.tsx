import type { PatientChart } from '../../../../src-shared/clinical/chart';
import { SEX_LABELS } from '../../components/format';
import { useBalance } from '../billing/useBalance';
import { formatRupees } from '../billing/money';
import { ReferAction } from '../referrals/ReferAction';
import { ExportActions } from '../interop/ExportActions';

/** Who the patient is, and what reception wrote down at registration. */
export function PatientSummaryCard({ chart }: { chart: PatientChart }) {
  const p = chart.patient;
  const { balance } = useBalance(p.id, 0);
  return (
    <section className="card doctor-card" aria-labelledby="demographics-title" data-testid="chart-summary">
      <h2 id="demographics-title">{p.name}</h2>
      <dl className="facts">
        <div>
          <dt>Patient number</dt>
          <dd className="mono">{p.patientNumber}</dd>
        </div>
        <div>
          <dt>Age</dt>
          <dd>{p.ageYears} years</dd>
        </div>
        <div>
          <dt>Sex</dt>
          <dd>{SEX_LABELS[p.sex]}</dd>
        </div>
        <div>
          <dt>Blood group</dt>
          <dd>{p.bloodGroup ?? 'Not recorded'}</dd>
        </div>
        {balance ? (
          <div>
            <dt>Outstanding balance</dt>
            <dd data-testid="chart-balance">{formatRupees(balance.outstandingPaise)}</dd>
          </div>
        ) : null}
      </dl>
      {p.registeredAllergies.length > 0 ? (
        <p className="small">
          <strong>Allergies told at registration:</strong> {p.registeredAllergies.join(', ')}
        </p>
      ) : null}
      {p.registeredConditions.length > 0 ? (
        <p className="small">
          <strong>Conditions told at registration:</strong> {p.registeredConditions.join(', ')}
        </p>
      ) : null}
      <div className="actions">
        <ReferAction patientId={p.id} />
        <ExportActions patientId={p.id} viewerRole="doctor" />
      </div>
    </section>
  );
}
