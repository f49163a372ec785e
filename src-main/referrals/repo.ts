import { desc, eq } from 'drizzle-orm';
import type { ChangeCapture } from '../store/change-capture.js';
import type { Db } from '../store/db.js';
import type { FieldCodec } from '../store/fields.js';
import { clinicCards, clinicIdentity, referralInbox } from '../store/schema-referral.js';
import { type ClinicKeys, cardFingerprint, generateClinicKeys, publicKeysOf } from './crypto.js';

const ROW = 'clinic';
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

export type CardRow = typeof clinicCards.$inferSelect;
export type InboxRow = typeof referralInbox.$inferSelect;

export interface OwnIdentity {
  keys: ClinicKeys;
  fingerprint: string;
}

/**
 * The clinic's referral keys, other clinics' cards and the inbox. The identity's secret keys
 * are one envelope under the clinic data key (sealed for clinic_identity.keys.clinic) and
 * synced like any clinic-wide row, so every workstation of the clinic holds them.
 */
export class ReferralRepo {
  constructor(
    private readonly db: Db,
    private readonly codec: FieldCodec,
    private readonly capture: ChangeCapture,
    private readonly now: () => number,
  ) {}

  /** The clinic's key pairs, made on first need. */
  identity(): OwnIdentity {
    return this.db.transaction(() => {
      const row = this.db.select().from(clinicIdentity).where(eq(clinicIdentity.id, ROW)).get();
      let keys: ClinicKeys;
      if (row) {
        const s = this.codec.openJson<{ encryption: string; signing: string }>(
          'clinic_identity',
          'keys',
          ROW,
          row.keys,
        );
        keys = publicKeysOf(bytes(s.encryption), bytes(s.signing));
      } else {
        keys = generateClinicKeys();
        const envelope = this.codec.sealJson('clinic_identity', 'keys', ROW, {
          encryption: b64(keys.encryption.secretKey),
          signing: b64(keys.signing.secretKey),
        });
        const at = this.now();
        this.db
          .insert(clinicIdentity)
          .values({ id: ROW, keys: envelope, createdAt: at, updatedAt: at })
          .run();
        this.capture.record('clinic_identity', ROW, [
          { column: 'keys', envelope },
          { column: 'created_at', plain: at },
        ]);
      }
      return { keys, fingerprint: cardFingerprint(keys.encryption.publicKey, keys.signing.publicKey) };
    });
  }

  /** Whether the clinic has made its keys yet (a card was exported or a referral sent). */
  hasIdentity(): boolean {
    return !!this.db
      .select({ id: clinicIdentity.id })
      .from(clinicIdentity)
      .where(eq(clinicIdentity.id, ROW))
      .get();
  }

  card(fingerprint: string): CardRow | null {
    return this.db.select().from(clinicCards).where(eq(clinicCards.id, fingerprint)).get() ?? null;
  }

  cards(): CardRow[] {
    return this.db.select().from(clinicCards).orderBy(clinicCards.name).all();
  }

  /** Stores a card, unconfirmed; a card already here keeps its row (and its confirmation). */
  importCard(
    c: { fingerprint: string; name: string; encryptionPublic: string; signingPublic: string },
    by: string,
  ): CardRow {
    return this.db.transaction(() => {
      const existing = this.card(c.fingerprint);
      if (existing) return existing;
      const at = this.now();
      this.db
        .insert(clinicCards)
        .values({
          id: c.fingerprint,
          name: c.name,
          encryptionPublic: c.encryptionPublic,
          signingPublic: c.signingPublic,
          importedBy: by,
          importedAt: at,
          updatedAt: at,
        })
        .run();
      this.capture.record('clinic_cards', c.fingerprint, [
        { column: 'name', plain: c.name },
        { column: 'encryption_public', plain: c.encryptionPublic },
        { column: 'signing_public', plain: c.signingPublic },
        { column: 'imported_by', plain: by },
        { column: 'imported_at', plain: at },
      ]);
      return this.card(c.fingerprint)!;
    });
  }

  confirmCard(fingerprint: string, by: string): CardRow | null {
    return this.db.transaction(() => {
      const existing = this.card(fingerprint);
      if (!existing) return null;
      if (existing.confirmedAt !== null) return existing;
      const at = this.now();
      this.db
        .update(clinicCards)
        .set({ confirmedBy: by, confirmedAt: at, updatedAt: at })
        .where(eq(clinicCards.id, fingerprint))
        .run();
      this.capture.record('clinic_cards', fingerprint, [
        { column: 'confirmed_by', plain: by },
        { column: 'confirmed_at', plain: at },
      ]);
      return this.card(fingerprint);
    });
  }

  inbox(): InboxRow[] {
    return this.db.select().from(referralInbox).orderBy(desc(referralInbox.receivedAt)).all();
  }

  inboxItem(id: string): InboxRow | null {
    return this.db.select().from(referralInbox).where(eq(referralInbox.id, id)).get() ?? null;
  }

  /** Files a verified package; one already here (same package id) is kept as it is. */
  receive(r: {
    id: string;
    from: string;
    pkg: Uint8Array;
    source: 'mailbox' | 'file';
    mailboxId: string | null;
    sentAt: number;
  }): InboxRow {
    this.db
      .insert(referralInbox)
      .values({
        id: r.id,
        fromFingerprint: r.from,
        package: b64(r.pkg),
        source: r.source,
        mailboxId: r.mailboxId,
        status: 'new',
        sentAt: r.sentAt,
        receivedAt: this.now(),
      })
      .onConflictDoNothing()
      .run();
    return this.inboxItem(r.id)!;
  }

  hasMailboxMessage(mailboxId: string): boolean {
    return !!this.db
      .select({ id: referralInbox.id })
      .from(referralInbox)
      .where(eq(referralInbox.mailboxId, mailboxId))
      .get();
  }

  markAccepted(id: string, patientId: string, by: string): void {
    this.db
      .update(referralInbox)
      .set({ status: 'accepted', patientId, acceptedBy: by, acceptedAt: this.now() })
      .where(eq(referralInbox.id, id))
      .run();
  }
}
