import { randomUUID } from 'node:crypto';
import type { ImportDecision } from '../../src-shared/interop.js';
import {
  CLINIC_CARD_FORMAT,
  type ClinicCardFile,
  type ClinicCardView,
  type InboxItem,
  type OwnClinicCard,
  type ReferralAccepted,
  type ReferralInclude,
  type ReferralPreview,
  type ReferralSent,
} from '../../src-shared/referral.js';
import { FINGERPRINT_PATTERN } from '../../src-shared/referral-card.js';
import { singleLine } from '../../src-shared/text.js';
import { AttachmentProblem } from '../attachments/store.js';
import { exportPatientBundle, importPatientBundle, previewPatientImport } from '../interop/fhir.js';
import { Failure } from '../ipc/failure.js';
import type { Services } from '../ipc/handler-types.js';
import type { SecurityKind } from '../store/security-repo.js';
import {
  cardFingerprint,
  fingerprintWords,
  openReferral,
  parseReferral,
  ReferralError,
  type ReferralRefusal,
  sealReferral,
} from './crypto.js';
import { MailboxUnavailable } from './mailbox-link.js';
import type { CardRow, InboxRow } from './repo.js';

/**
 * The referral flow over the repositories, the FHIR exporter/importer and the mailbox. Never
 * logs or returns key material; the package's content goes only to the caller's screen.
 */

interface ReferralPayload {
  v: 1;
  clinicName: string;
  note: string;
  include: ReferralInclude;
  bundle: unknown;
  files: { name: string; mimeType: string; base64: string }[];
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

const SECURITY_KIND: Record<ReferralRefusal, SecurityKind> = {
  malformed: 'signature-refused',
  truncated: 'signature-refused',
  'too-large': 'signature-refused',
  tampered: 'signature-refused',
  'bad-signature': 'signature-refused',
  'wrong-recipient': 'bad-sender',
  'unknown-sender': 'bad-sender',
  'unconfirmed-sender': 'bad-sender',
  undecryptable: 'decryption-failed',
};

/** Records the refusal as a security event (callers are async handlers: it is not rolled
 *  back) and turns it into the error the screen shows. */
export function refuse(
  services: Services,
  userId: string | null,
  channel: string,
  e: ReferralError,
  field: string,
): never {
  services.security.record({
    kind: SECURITY_KIND[e.reason],
    channel,
    userId,
    detail: { area: 'referral', reason: e.reason },
  });
  throw new Failure('VALIDATION', e.message, { [field]: e.message });
}

export function cardView(services: Services, row: CardRow): ClinicCardView {
  const by = row.confirmedBy ? services.users.byId(row.confirmedBy) : null;
  return {
    id: row.id,
    name: row.name,
    words: fingerprintWords(row.id),
    importedAt: row.importedAt,
    confirmedAt: row.confirmedAt,
    confirmedBy: row.confirmedBy ? (by?.displayName ?? 'another admin') : null,
  };
}

export function ownCard(services: Services): OwnClinicCard {
  const name = services.settings.get()?.clinicName ?? 'Clinic';
  const { keys, fingerprint } = services.referrals.identity();
  const card: ClinicCardFile = {
    format: CLINIC_CARD_FORMAT,
    name,
    encryptionPublic: b64(keys.encryption.publicKey),
    signingPublic: b64(keys.signing.publicKey),
    fingerprint,
  };
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'clinic';
  return {
    fileName: `${slug}.kavach-card.json`,
    json: JSON.stringify(card, null, 2),
    name,
    fingerprint,
    words: fingerprintWords(fingerprint),
  };
}

const CLINIC_NAME = singleLine({ min: 1, max: 200 });
const cardProblem = (message: string) => new Failure('VALIDATION', message, { json: message });

/** Reads a card file: shape, key lengths, and that the fingerprint is that of its keys. */
export function parseCard(json: string): ClinicCardFile {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw cardProblem('This is not a clinic card file (not JSON).');
  }
  const c = raw as Record<string, unknown>;
  if (!c || typeof c !== 'object' || Array.isArray(c) || c.format !== CLINIC_CARD_FORMAT) {
    throw cardProblem('This is not a Kavach clinic card file.');
  }
  const keys = Object.keys(c).sort().join(',');
  if (keys !== 'encryptionPublic,fingerprint,format,name,signingPublic')
    throw cardProblem('The clinic card has unexpected fields.');
  const name = CLINIC_NAME.safeParse(c.name);
  if (!name.success) throw cardProblem('The clinic card has no usable clinic name.');
  const key = (v: unknown) => (typeof v === 'string' && /^[A-Za-z0-9+/]{43}=$/.test(v) ? bytes(v) : null);
  const enc = key(c.encryptionPublic);
  const sig = key(c.signingPublic);
  if (!enc || !sig || enc.length !== 32 || sig.length !== 32)
    throw cardProblem('The clinic card’s keys are not valid.');
  if (
    typeof c.fingerprint !== 'string' ||
    !FINGERPRINT_PATTERN.test(c.fingerprint) ||
    cardFingerprint(enc, sig) !== c.fingerprint
  ) {
    throw cardProblem('The clinic card’s fingerprint does not match its keys: the file was altered.');
  }
  return {
    format: CLINIC_CARD_FORMAT,
    name: name.data.trim(),
    encryptionPublic: c.encryptionPublic as string,
    signingPublic: c.signingPublic as string,
    fingerprint: c.fingerprint,
  };
}

/** FHIR resource types that make up the "summary" (problems and allergies). */
const SUMMARY_TYPES = new Set(['Condition', 'AllergyIntolerance']);

export async function sendReferral(
  services: Services,
  input: { patientId: string; toClinicId: string; include: ReferralInclude; note: string },
): Promise<ReferralSent> {
  const card = services.referrals.card(input.toClinicId);
  if (!card)
    throw new Failure('NOT_FOUND', 'No card of that clinic is imported here.', {
      toClinicId: 'Unknown clinic',
    });
  if (card.confirmedAt === null) {
    const message =
      'That clinic’s card is not confirmed yet: an admin must compare its fingerprint words first.';
    throw new Failure('CONFLICT', message, { toClinicId: message });
  }
  const { bundle, files } = await exportPatientBundle(services, input.patientId, {
    visits: input.include.visits,
    prescriptions: input.include.prescriptions,
    attachments: input.include.attachments,
  });
  if (!input.include.summary && Array.isArray(bundle.entry)) {
    bundle.entry = bundle.entry.filter((e) => !SUMMARY_TYPES.has(e.resource?.resourceType ?? ''));
  }
  const payload: ReferralPayload = {
    v: 1,
    clinicName: services.settings.get()?.clinicName ?? '',
    note: input.note,
    include: input.include,
    bundle,
    files: input.include.attachments
      ? files.map((f) => ({ name: f.name, mimeType: f.mimeType, base64: b64(f.bytes) }))
      : [],
  };
  const self = services.referrals.identity();
  const id = randomUUID();
  const plain = new TextEncoder().encode(JSON.stringify(payload));
  let pkg: Uint8Array;
  try {
    pkg = sealReferral({
      sender: self,
      recipient: { encryptionPublic: bytes(card.encryptionPublic), fingerprint: card.id },
      payload: plain,
      id,
      createdAt: services.now(),
    });
  } catch (e) {
    if (e instanceof ReferralError) throw new Failure('VALIDATION', e.message, { include: e.message });
    throw e;
  } finally {
    plain.fill(0);
  }
  let posted = false;
  let notPosted: string | null =
    'This workstation is not connected to a sync server: give the file to the other clinic.';
  if (services.mailbox.configured) {
    try {
      await services.mailbox.post(card.id, pkg);
      posted = true;
      notPosted = null;
    } catch (e) {
      if (!(e instanceof MailboxUnavailable)) throw e;
      notPosted = `${e.message} Give the file to the other clinic.`;
    }
  }
  return {
    id,
    fileName: `referral-${services.today()}-${id.slice(0, 8)}.kavach-referral`,
    base64: b64(pkg),
    posted,
    notPosted,
  };
}

/** Fetches new packages from the mailbox into the inbox (framing and address checked;
 *  the signature is checked when the package is opened). Quiet when there is no server. */
export async function fetchMailbox(services: Services, userId: string | null): Promise<void> {
  if (!services.mailbox.configured || !services.referrals.hasIdentity()) return;
  try {
    const self = services.referrals.identity();
    await services.mailbox.claim(self.keys);
    for (const m of await services.mailbox.list()) {
      if (services.referrals.hasMailboxMessage(m.id)) continue;
      const pkg = await services.mailbox.fetch(m.id);
      try {
        const { header } = parseReferral(pkg);
        if (header.to !== self.fingerprint) throw new ReferralError('wrong-recipient');
        services.referrals.receive({
          id: header.id,
          from: header.from,
          pkg,
          source: 'mailbox',
          mailboxId: m.id,
          sentAt: header.createdAt,
        });
      } catch (e) {
        if (!(e instanceof ReferralError)) throw e;
        services.security.record({
          kind: SECURITY_KIND[e.reason],
          channel: 'referrals.inbox',
          userId,
          detail: { area: 'referral', reason: e.reason, source: 'mailbox' },
        });
        // Refused for good: not for this clinic or not a package. Dropped from the mailbox.
        await services.mailbox.ack(m.id);
      }
    }
  } catch (e) {
    if (!(e instanceof MailboxUnavailable)) throw e;
  }
}

export function inboxItems(services: Services): InboxItem[] {
  const names = new Map(services.referrals.cards().map((c) => [c.id, c.name]));
  return services.referrals.inbox().map((r) => ({
    id: r.id,
    fromClinic: names.get(r.fromFingerprint) ?? null,
    fromWords: fingerprintWords(r.fromFingerprint),
    sentAt: r.sentAt,
    receivedAt: r.receivedAt,
    source: r.source,
    status: r.status,
    patientId: r.patientId,
  }));
}

/** Verifies and decrypts; every refusal is a ReferralError. */
function unseal(
  services: Services,
  pkg: Uint8Array,
): { header: { id: string; from: string; createdAt: number }; payload: ReferralPayload; card: CardRow } {
  const self = services.referrals.identity();
  const opened = openReferral(pkg, {
    self: {
      fingerprint: self.fingerprint,
      encryptionSecret: self.keys.encryption.secretKey,
      encryptionPublic: self.keys.encryption.publicKey,
    },
    sender: (fp) => {
      const c = services.referrals.card(fp);
      return c ? { signingPublic: bytes(c.signingPublic), confirmed: c.confirmedAt !== null } : null;
    },
  });
  let payload: ReferralPayload;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(opened.payload)) as ReferralPayload;
  } catch {
    throw new ReferralError('malformed');
  } finally {
    opened.payload.fill(0);
  }
  if (payload?.v !== 1 || !Array.isArray(payload.files) || typeof payload.note !== 'string')
    throw new ReferralError('malformed');
  return { header: opened.header, payload, card: services.referrals.card(opened.header.from)! };
}

export function openPackage(
  services: Services,
  userId: string | null,
  input: { inboxId: string | null; file: string | null },
): { preview: ReferralPreview; row: InboxRow } {
  let pkg: Uint8Array;
  let row: InboxRow | null = null;
  if (input.inboxId !== null) {
    row = services.referrals.inboxItem(input.inboxId);
    if (!row) throw new Failure('NOT_FOUND', 'No such referral in the inbox.', { inboxId: 'Not found' });
    pkg = bytes(row.package);
  } else {
    pkg = bytes(input.file ?? '');
  }
  let opened: ReturnType<typeof unseal>;
  try {
    opened = unseal(services, pkg);
  } catch (e) {
    if (e instanceof ReferralError)
      refuse(services, userId, 'referrals.open', e, input.inboxId !== null ? 'inboxId' : 'file');
    throw e;
  }
  if (!row) {
    row = services.referrals.receive({
      id: opened.header.id,
      from: opened.header.from,
      pkg,
      source: 'file',
      mailboxId: null,
      sentAt: opened.header.createdAt,
    });
  }
  const imported = previewPatientImport(services, opened.payload.bundle);
  return {
    row,
    preview: {
      ...imported,
      id: row.id,
      from: { name: opened.card.name, words: fingerprintWords(opened.card.id) },
      sentAt: opened.header.createdAt,
      note: opened.payload.note,
      include: opened.payload.include,
      attachments: opened.payload.files.map((f) => ({
        name: String(f.name),
        mimeType: String(f.mimeType),
        bytes: Math.floor((String(f.base64).length * 3) / 4),
      })),
      status: row.status,
    },
  };
}

export async function acceptReferral(
  services: Services,
  userId: string,
  input: { id: string; decision: ImportDecision },
): Promise<ReferralAccepted> {
  const row = services.referrals.inboxItem(input.id);
  if (!row) throw new Failure('NOT_FOUND', 'No such referral in the inbox.', { id: 'Not found' });
  if (row.status === 'accepted') throw new Failure('CONFLICT', 'This referral was already accepted.');
  let opened: ReturnType<typeof unseal>;
  try {
    opened = unseal(services, bytes(row.package));
  } catch (e) {
    if (e instanceof ReferralError) refuse(services, userId, 'referrals.accept', e, 'id');
    throw e;
  }
  const result = importPatientBundle(services, opened.payload.bundle, input.decision, userId);
  let attached = 0;
  for (const f of opened.payload.files) {
    const data = Buffer.from(String(f.base64), 'base64');
    if (data.length === 0) continue;
    try {
      const upload = services.attachments.begin(
        userId,
        result.patientId,
        null,
        String(f.name).slice(0, 200),
        data.length,
      );
      services.attachments.piece(userId, upload, 0, data);
      services.attachments.finish(userId, upload);
      attached++;
    } catch (e) {
      // A file of a type this clinic does not accept is skipped; the record is already filed.
      if (!(e instanceof AttachmentProblem)) throw e;
    }
  }
  services.referrals.markAccepted(row.id, result.patientId, userId);
  if (row.mailboxId && services.mailbox.configured) {
    await services.mailbox.ack(row.mailboxId).catch(() => {});
  }
  return { patientId: result.patientId, attachments: attached };
}
