import { randomUUID } from 'node:crypto';
import { CLINIC_CARD_FORMAT } from '../../../src-shared/referral.js';
import {
  type ClinicKeys,
  cardFingerprint,
  generateClinicKeys,
  sealReferral,
} from '../../referrals/crypto.js';
import { call, must } from '../../testing/core-harness.js';
import type { CorpusArea, CorpusFixtures } from './area.js';

let f: CorpusFixtures | null = null;
const NO_ID = '00000000-0000-4000-8000-000000000000';
const patientId = () => f?.patientId ?? NO_ID;
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

function cardOf(keys: ClinicKeys, name: string) {
  const fingerprint = cardFingerprint(keys.encryption.publicKey, keys.signing.publicKey);
  const json = JSON.stringify({
    format: CLINIC_CARD_FORMAT,
    name,
    encryptionPublic: b64(keys.encryption.publicKey),
    signingPublic: b64(keys.signing.publicKey),
    fingerprint,
  });
  return { fingerprint, json };
}

// Another clinic (imported and confirmed in setup) and a third one whose card is the import sample.
const partner = generateClinicKeys();
const partnerCard = cardOf(partner, 'Dhanvantari Clinic');
const stranger = cardOf(generateClinicKeys(), 'Charaka Clinic');
let inboxId = NO_ID;

/** Referral channels (issue 8). */
export const referralArea: CorpusArea = {
  samples: {
    'referrals.clinicCard': { as: 'admin', payload: () => ({}) },
    'referrals.importCard': { as: 'admin', payload: () => ({ json: stranger.json }) },
    'referrals.confirmCard': { as: 'admin', payload: () => ({ id: partnerCard.fingerprint }) },
    'referrals.listClinics': { as: 'docd', payload: () => ({}) },
    'referrals.send': {
      as: 'docd',
      payload: () => ({
        patientId: patientId(),
        toClinicId: partnerCard.fingerprint,
        include: { summary: true, visits: true, prescriptions: false, attachments: false },
        note: 'Please see for a second opinion',
      }),
    },
    'referrals.inbox': { as: 'tara', payload: () => ({}) },
    'referrals.open': { as: 'tara', payload: () => ({ inboxId, file: null }) },
    'referrals.accept': { as: 'tara', payload: () => ({ id: inboxId, decision: { mode: 'register-new' } }) },
  },
  async setup(fixtures) {
    f = fixtures;
    const admin = await fixtures.connectAs('admin');
    const own = must(await call(admin, 'referrals.clinicCard', {}));
    const ownCard = JSON.parse(own.json) as { encryptionPublic: string };
    must(await call(admin, 'referrals.importCard', { json: partnerCard.json }));
    must(await call(admin, 'referrals.confirmCard', { id: partnerCard.fingerprint }));
    const doctor = await fixtures.connectAs('docd');
    const exported = must(
      await call(doctor, 'interop.exportFhir', {
        patientId: fixtures.patientId,
        visits: false,
        prescriptions: false,
        attachments: false,
      }),
    );
    const payload = {
      v: 1,
      clinicName: 'Dhanvantari Clinic',
      note: 'Referred for review',
      include: { summary: true, visits: false, prescriptions: false, attachments: false },
      bundle: JSON.parse(exported.json),
      files: [],
    };
    const pkg = sealReferral({
      sender: { keys: partner, fingerprint: partnerCard.fingerprint },
      recipient: {
        encryptionPublic: new Uint8Array(Buffer.from(ownCard.encryptionPublic, 'base64')),
        fingerprint: own.fingerprint,
      },
      payload: new TextEncoder().encode(JSON.stringify(payload)),
      id: randomUUID(),
      createdAt: fixtures.h.clock.now(),
    });
    const tara = await fixtures.connectAs('tara');
    inboxId = must(await call(tara, 'referrals.open', { inboxId: null, file: b64(pkg) })).id;
  },
  nullable: ['inboxId', 'file'],
  watched: ['clinic_identity', 'clinic_cards', 'referral_inbox'],
};
