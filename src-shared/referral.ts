import type { ImportPreview } from './interop.js';

/** Referrals between clinics (issue 8): what main and the renderer agree on. */

export const CLINIC_CARD_FORMAT = 'kavach-clinic-card-1';

/** The clinic card file an admin exports and gives to another clinic. */
export interface ClinicCardFile {
  format: typeof CLINIC_CARD_FORMAT;
  name: string;
  /** base64 X25519 public key (encryption) and Ed25519 public key (signing). */
  encryptionPublic: string;
  signingPublic: string;
  /** hex SHA-256 of the two public keys (src-shared/referral-card.ts). */
  fingerprint: string;
}

export interface OwnClinicCard {
  fileName: string;
  /** The card file's text (JSON). */
  json: string;
  name: string;
  fingerprint: string;
  words: string[];
}

export interface ClinicCardView {
  /** The card's fingerprint. */
  id: string;
  name: string;
  words: string[];
  importedAt: number;
  confirmedAt: number | null;
  /** The confirming admin's display name. */
  confirmedBy: string | null;
}

export interface ReferralInclude {
  summary: boolean;
  visits: boolean;
  prescriptions: boolean;
  attachments: boolean;
}

export interface ReferralSent {
  id: string;
  fileName: string;
  /** The package file, base64. */
  base64: string;
  /** True when the package was left in the receiving clinic's mailbox on the sync server. */
  posted: boolean;
  /** Why it was not posted, when it was not (no server, the other clinic has no mailbox there). */
  notPosted: string | null;
}

export interface InboxItem {
  id: string;
  /** The sending clinic's name from its card; null when its card is not imported here. */
  fromClinic: string | null;
  fromWords: string[];
  sentAt: number;
  receivedAt: number;
  source: 'mailbox' | 'file';
  status: 'new' | 'accepted';
  patientId: string | null;
}

export interface ReferralPreview extends ImportPreview {
  id: string;
  from: { name: string; words: string[] };
  sentAt: number;
  note: string;
  include: ReferralInclude;
  attachments: { name: string; mimeType: string; bytes: number }[];
  status: 'new' | 'accepted';
}

export interface ReferralAccepted {
  patientId: string;
  attachments: number;
}
