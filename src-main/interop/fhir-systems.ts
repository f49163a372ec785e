/**
 * Code systems and identifier systems Kavach writes into FHIR resources (issue 8).
 *
 * AADHAAR_SYSTEM and PATIENT_NUMBER_SYSTEM are Kavach's own choices, documented in the
 * README: UIDAI publishes no FHIR identifier system URI for Aadhaar, so the Aadhaar number
 * goes under the UIDAI's own address; the clinic's patient number is a URN that names
 * Kavach (a patient number is unique across a clinic's workstations by its prefix).
 */
export const AADHAAR_SYSTEM = 'https://uidai.gov.in/aadhaar';
export const PATIENT_NUMBER_SYSTEM = 'urn:kavach:patient-number';
export const PRESCRIPTION_SYSTEM = 'urn:kavach:prescription';
/** An extension on Patient.birthDate: true when the date is an estimate from an age. */
export const ESTIMATED_BIRTH_EXTENSION = 'urn:kavach:fhir:birth-date-estimated';

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const ICD10_SYSTEM = 'http://hl7.org/fhir/sid/icd-10';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const CONDITION_CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
export const CONDITION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';
export const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
export const ALLERGY_CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
export const ALLERGY_VERIFICATION = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification';

/** LOINC codes of the R4 vital signs profiles, with their UCUM units. */
export const VITAL_CODES = {
  bloodPressure: {
    loinc: '85354-9',
    display: 'Blood pressure panel',
    systolic: '8480-6',
    diastolic: '8462-4',
  },
  heartRate: { loinc: '8867-4', display: 'Heart rate', unit: '/min', ucum: '/min' },
  temperature: { loinc: '8310-5', display: 'Body temperature', unit: 'Cel', ucum: 'Cel' },
  respiratoryRate: { loinc: '9279-1', display: 'Respiratory rate', unit: '/min', ucum: '/min' },
  spo2: { loinc: '59408-5', display: 'Oxygen saturation by pulse oximetry', unit: '%', ucum: '%' },
  weight: { loinc: '29463-7', display: 'Body weight', unit: 'kg', ucum: 'kg' },
  height: { loinc: '8302-2', display: 'Body height', unit: 'cm', ucum: 'cm' },
  bmi: { loinc: '39156-5', display: 'Body mass index (BMI)', unit: 'kg/m2', ucum: 'kg/m2' },
} as const;
