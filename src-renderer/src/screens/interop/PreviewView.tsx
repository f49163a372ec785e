import type { DuplicateCandidate, InteropProblem } from '../../../../src-shared/interop';
import type { PatientInput } from '../../../../src-shared/patient';
import { ageSex } from '../../components/format';

const SEX = { female: 'Female', male: 'Male', other: 'Other', unknown: 'Unknown' } as const;

function birthText(p: PatientInput): string {
  return p.birth.kind === 'exact' ? p.birth.date : `About ${p.birth.ageYears} years (estimated)`;
}

function addressText(p: PatientInput): string {
  const a = p.address;
  return [a.line, a.cityOrVillage, a.district, a.state, a.pinCode].filter(Boolean).join(', ');
}

/** The incoming patient as the reception form would show them (text only). */
export function DemographicsView({ patient }: { patient: PatientInput }) {
  const rows: [string, string, string][] = [
    ['Name', [patient.givenNames, patient.familyName].filter(Boolean).join(' '), 'preview-name'],
    ['Sex', SEX[patient.sex], 'preview-sex'],
    ['Date of birth', birthText(patient), 'preview-birth'],
    [
      'Phones',
      patient.phones.map((ph) => `${ph.number} (${ph.label})`).join(', ') || 'None',
      'preview-phones',
    ],
    ['Address', addressText(patient) || 'None', 'preview-address'],
    ['Aadhaar', patient.nationalId ? `XXXX XXXX ${patient.nationalId.slice(-4)}` : 'None', 'preview-aadhaar'],
    ['Preferred language', patient.preferredLanguage || 'None', 'preview-language'],
  ];
  return (
    <dl className="facts" data-testid="preview-demographics">
      {rows.map(([label, value, id]) => (
        <div key={id}>
          <dt>{label}</dt>
          <dd data-testid={id}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function ProblemList({
  title,
  problems,
  testId,
}: {
  title: string;
  problems: InteropProblem[];
  testId: string;
}) {
  if (problems.length === 0) return null;
  return (
    <div data-testid={testId}>
      <h3>{title}</h3>
      <ul>
        {problems.map((p, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: problems have no id and never reorder
          <li key={i}>
            <strong>
              {p.resource} {p.field}
            </strong>
            : {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function CandidateList({
  candidates,
  onUse,
  busy,
}: {
  candidates: DuplicateCandidate[];
  onUse: (id: string) => void;
  busy: boolean;
}) {
  if (candidates.length === 0)
    return <p data-testid="preview-no-candidates">No existing patient looks the same.</p>;
  return (
    <div data-testid="preview-candidates">
      <h3>Possibly the same person</h3>
      <ul>
        {candidates.map((c) => (
          <li key={c.id}>
            {c.name} · {c.patientNumber} · {ageSex(c)} — {c.reasons.join(', ')}{' '}
            <button type="button" className="btn" disabled={busy} onClick={() => onUse(c.id)}>
              Use this patient
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
