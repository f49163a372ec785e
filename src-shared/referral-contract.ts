import { z } from 'zod';
import { type ChannelDef, channel } from './channel-def.js';
import type {
  ClinicCardView,
  InboxItem,
  OwnClinicCard,
  ReferralAccepted,
  ReferralPreview,
  ReferralSent,
} from './referral.js';
import { emptyInput, idInput, multiLine } from './text.js';

/** A referral package file is at most 25 MB, so at most this much base64. */
export const REFERRAL_BASE64_MAX = Math.ceil((25 * 1024 * 1024 * 4) / 3) + 4;
const CARD_JSON_MAX = 4096;

const fingerprintInput = z
  .string({ error: 'Expected a card fingerprint' })
  .regex(/^[0-9a-f]{64}$/, { error: 'Expected a card fingerprint (64 hex characters)' });
const packageBase64 = z
  .string({ error: 'Expected the package file as base64' })
  .min(4, { error: 'The file is empty' })
  .max(REFERRAL_BASE64_MAX, { error: 'The file is larger than 25 MB' })
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, { error: 'Expected the package file as base64' });
const flag = (what: string) => z.boolean({ error: `Say whether to include ${what}` });
const decision = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({ mode: z.literal('register-new') }),
    z.strictObject({ mode: z.literal('use-existing'), patientId: idInput }),
  ],
  { error: 'Choose register-new, or use-existing with a patient id' },
);

/** Encrypted referrals between clinics (issue 8). */
export const referralContract = {
  'referrals.clinicCard': channel<OwnClinicCard>()({
    input: emptyInput,
    access: ['admin'],
    description:
      "This clinic's card (name, public keys, fingerprint) to give to another clinic; makes the keys on first use.",
    audit: 'admin',
    perMinute: 20,
  }),
  'referrals.importCard': channel<ClinicCardView>()({
    input: z.strictObject({ json: multiLine({ min: 1, max: CARD_JSON_MAX }) }),
    access: ['admin'],
    description: "Import another clinic's card (unconfirmed until its fingerprint words are compared).",
    audit: 'admin',
    perMinute: 20,
  }),
  'referrals.confirmCard': channel<ClinicCardView>()({
    input: z.strictObject({ id: fingerprintInput }),
    access: ['admin'],
    description: 'Confirm an imported card after comparing its fingerprint words with the other clinic.',
    audit: 'admin',
    perMinute: 20,
  }),
  'referrals.listClinics': channel<ClinicCardView[]>()({
    input: emptyInput,
    access: ['admin', 'doctor', 'receptionist'],
    description: 'The other clinics whose cards are imported, confirmed or not.',
    audit: 'none',
    perMinute: 120,
  }),
  'referrals.send': channel<ReferralSent>()({
    input: z.strictObject({
      patientId: idInput,
      toClinicId: fingerprintInput,
      include: z.strictObject({
        summary: flag('the summary'),
        visits: flag('visits'),
        prescriptions: flag('prescriptions'),
        attachments: flag('attachments'),
      }),
      note: multiLine({ max: 2000 }),
    }),
    access: ['doctor'],
    description:
      'Refer a patient: their record encrypted to a confirmed clinic and signed, as a file and through the mailbox.',
    audit: 'personal-read',
    perMinute: 10,
  }),
  'referrals.inbox': channel<InboxItem[]>()({
    input: emptyInput,
    access: ['receptionist', 'doctor'],
    description: 'Referrals received (fetching new ones from the mailbox when connected), newest first.',
    audit: 'none',
    perMinute: 60,
  }),
  'referrals.open': channel<ReferralPreview>()({
    // One of the two: a referral already in the inbox, or a package file (base64).
    input: z
      .strictObject({ inboxId: idInput.nullable(), file: packageBase64.nullable() })
      .refine((v) => (v.inboxId === null) !== (v.file === null), {
        error: 'Give either an inbox id or a package file',
        path: ['file'],
      }),
    access: ['receptionist', 'doctor'],
    description:
      'Verify and decrypt a referral (from the inbox or a file) and preview it; nothing is registered.',
    audit: 'personal-read',
    perMinute: 20,
  }),
  'referrals.accept': channel<ReferralAccepted>()({
    input: z.strictObject({ id: idInput, decision }),
    access: ['receptionist'],
    description: "Register the referred patient (or use an existing one) and file the referral's records.",
    audit: 'personal-write',
    perMinute: 20,
  }),
} as const satisfies Record<string, ChannelDef>;
