import type { ReactNode } from 'react';
import type { PatientRecord } from '../../../../src-shared/types';
import { formatDay, formatTime } from '../../components/format';

const OTHER_ID_LABELS: Record<NonNullable<PatientRecord['otherId']>['kind'], string> = {
  passport: 'Passport',
  'voter-id': 'Voter ID',
  'driving-licence': 'Driving licence',
  other: 'Other ID',
};

function Item({ term, children, testId }: { term: string; children: ReactNode; testId?: string }) {
  return (
    <div className="record-item">
      <dt>{term}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

const none = <span className="muted">—</span>;
const joined = (...parts: string[]) => parts.filter((p) => p.trim() !== '').join(', ');

function contactText(c: { name: string; relation: string; phone: string }): string {
  return [c.name, c.relation ? `(${c.relation})` : '', c.phone].filter(Boolean).join(' ');
}

function Tags({ tags }: { tags: readonly string[] }) {
  if (tags.length === 0) return none;
  return (
    <ul className="tag-list inline-tags">
      {tags.map((t) => (
        <li key={t} className="tag tag-static">
          {t}
        </li>
      ))}
    </ul>
  );
}

/** Everything on record, as text. */
export function PatientRecordView({ record: r }: { record: PatientRecord }) {
  const address = joined(
    r.address.line,
    r.address.cityOrVillage,
    r.address.district,
    r.address.state,
    r.address.pinCode,
  );
  return (
    <dl className="record">
      <Item term="Phones">
        {r.phones.length === 0 ? none : r.phones.map((p) => `${p.number} (${p.label})`).join(', ')}
      </Item>
      <Item term="Address" testId="record-address">
        {address || none}
      </Item>
      <Item term="Date of birth">
        {r.birth.kind === 'exact' ? formatDay(r.birth.date) : `Estimated (age ~${r.ageYears})`}
      </Item>
      <Item term="Other ID">
        {r.otherId ? `${OTHER_ID_LABELS[r.otherId.kind]}: ${r.otherId.value}` : none}
      </Item>
      <Item term="Blood group">{r.bloodGroup === 'unknown' ? 'Unknown' : r.bloodGroup}</Item>
      <Item term="Height / weight">
        {r.heightCm === null && r.weightKg === null
          ? none
          : `${r.heightCm ?? '—'} cm / ${r.weightKg ?? '—'} kg`}
      </Item>
      <Item term="Preferred language">{r.preferredLanguage || none}</Item>
      <Item term="Allergies">
        <Tags tags={r.allergies} />
      </Item>
      <Item term="Chronic conditions">
        <Tags tags={r.chronicConditions} />
      </Item>
      <Item term="Emergency contacts">
        {r.emergencyContacts.length === 0 ? none : r.emergencyContacts.map(contactText).join('; ')}
      </Item>
      <Item term="Bystander">{r.bystander ? contactText(r.bystander) : none}</Item>
      <Item term="Insurance">
        {r.insurance
          ? joined(
              r.insurance.provider,
              r.insurance.policyNumber,
              r.insurance.validUntil ? `valid until ${formatDay(r.insurance.validUntil)}` : '',
            )
          : none}
      </Item>
      <Item term="Medico-legal">
        {r.medicoLegal.isMlc
          ? `MLC — ${r.medicoLegal.policeStation}, report ${r.medicoLegal.reportNumber}`
          : 'Not a medico-legal case'}
      </Item>
      <Item term="Last visit">{r.lastVisit ? formatDay(r.lastVisit) : 'No visits'}</Item>
      <Item term="Notes">{r.notes ? <span className="pre-wrap">{r.notes}</span> : none}</Item>
      <Item term="Registered">{formatTime(r.createdAt)}</Item>
    </dl>
  );
}
