import { maskAadhaar } from '../../src-shared/aadhaar.js';
import type { PatientInput } from '../../src-shared/patient.js';
import type { FieldKey } from '../store/patients-repo.js';

type Stored = Omit<PatientInput, 'birth'> & { birth: { kind: 'exact' | 'approximate'; date: string } };

const joinParts = (parts: (string | null | undefined)[]) => parts.filter((x) => x && x.trim() !== '').join(', ');

/**
 * A field's value as one line of text for the admin's history view. The Aadhaar number
 * stays masked here too: seeing it in full is the audited reveal's job.
 */
export function describeField(field: FieldKey, raw: unknown): string {
  const none = '(none)';
  switch (field) {
    case 'birth': {
      const b = raw as Stored['birth'];
      return b.kind === 'exact' ? b.date : `about ${b.date.slice(0, 4)} (age given)`;
    }
    case 'phones':
      return joinParts((raw as Stored['phones']).map((p) => `${p.number} (${p.label})`)) || none;
    case 'address': {
      const a = raw as Stored['address'];
      return joinParts([a.line, a.cityOrVillage, a.district, a.state, a.pinCode]) || none;
    }
    case 'nationalId':
      return raw ? maskAadhaar(raw as string) : none;
    case 'otherId': {
      const o = raw as Stored['otherId'];
      return o ? `${o.kind}: ${o.value}` : none;
    }
    case 'heightCm':
      return raw === null ? none : `${raw} cm`;
    case 'weightKg':
      return raw === null ? none : `${raw} kg`;
    case 'emergencyContacts':
      return joinParts((raw as Stored['emergencyContacts']).map((c) => joinParts([c.name, c.relation, c.phone]))) || none;
    case 'bystander': {
      const b = raw as Stored['bystander'];
      return b ? joinParts([b.name, b.relation, b.phone]) : none;
    }
    case 'insurance': {
      const i = raw as Stored['insurance'];
      return i ? joinParts([i.provider, i.policyNumber, i.validUntil && `valid until ${i.validUntil}`]) : none;
    }
    case 'allergies':
    case 'chronicConditions':
      return (raw as string[]).join(', ') || none;
    case 'medicoLegal': {
      const m = raw as Stored['medicoLegal'];
      return m.isMlc ? `Medico-legal case: ${joinParts([m.policeStation, m.reportNumber])}` : 'Not a medico-legal case';
    }
    default:
      return typeof raw === 'string' ? raw || none : JSON.stringify(raw);
  }
}
