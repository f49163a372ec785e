import type { CorpusArea, CorpusFixtures } from './area.js';

let f: CorpusFixtures | null = null;
const patientId = () => f?.patientId ?? '00000000-0000-4000-8000-000000000000';

const FHIR_PATIENT = JSON.stringify({
  resourceType: 'Patient',
  name: [{ family: 'Nair', given: ['Kavya'] }],
  gender: 'female',
  birthDate: '1991-03-14',
});
const ADT =
  'MSH|^~\\&|LAB|CITY|KAVACH|CLINIC|20260101120000||ADT^A08^ADT_A01|MSG0001|P|2.5\r' +
  'EVN|A08|20260101120000\r' +
  'PID|1||LAB-77^^^CITYLAB^MR||Nair^Kavya||19910314|F\r';

/** Interop channels (issue 8). */
export const interopArea: CorpusArea = {
  samples: {
    'interop.exportFhir': {
      as: 'docd',
      payload: () => ({ patientId: patientId(), visits: true, prescriptions: true, attachments: false }),
    },
    'interop.previewFhir': { as: 'tara', payload: () => ({ json: FHIR_PATIENT }) },
    'interop.importFhir': {
      as: 'tara',
      payload: () => ({ json: FHIR_PATIENT, decision: { mode: 'use-existing', patientId: patientId() } }),
    },
    'interop.exportHl7': { as: 'tara', payload: () => ({ patientId: patientId(), event: 'A04' }) },
    'interop.previewHl7': { as: 'tara', payload: () => ({ message: ADT }) },
    'interop.importHl7': {
      as: 'tara',
      payload: () => ({ message: ADT, decision: { mode: 'use-existing', patientId: patientId() } }),
    },
  },
  async setup(fixtures) {
    f = fixtures;
  },
  watched: ['lab_results'],
};
