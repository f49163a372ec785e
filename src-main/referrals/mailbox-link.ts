import { ed25519 } from '@noble/curves/ed25519.js';
import { mailboxClaimMessage } from '../../src-shared/referral-card.js';
import { MAILBOX_ROUTES, type MailboxListed } from '../../src-shared/referral-mailbox.js';
import { syncTokenAccount } from '../vault/device-key.js';
import type { SecretStore } from '../vault/secret-store.js';
import type { ClinicKeys } from './crypto.js';

export interface MailboxLinkDeps {
  secrets: SecretStore;
  installId(): string | null;
  /** The sync server this workstation is enrolled with, or null. */
  serverUrl(): string | null;
  /** The clinic's id on that server. */
  clinicId(): string | null;
  fetch?: typeof fetch;
}

/** Why the mailbox could not be used, in words fit for the screen. */
export class MailboxUnavailable extends Error {
  override readonly name = 'MailboxUnavailable';
}

const TIMEOUT_MS = 60_000;

/**
 * The workstation's side of the server's referral mailbox, with this device's sync token
 * (read from the keychain as the sync engine reads it). Every call needs the workstation to
 * be enrolled with a sync server; otherwise referrals travel as files.
 */
export class MailboxLink {
  constructor(private readonly d: MailboxLinkDeps) {}

  get configured(): boolean {
    return this.d.serverUrl() !== null;
  }

  /** Claims this clinic's address on the server (idempotent), proven with the signing key. */
  async claim(keys: ClinicKeys): Promise<void> {
    const clinicId = this.d.clinicId();
    if (!clinicId) throw new MailboxUnavailable('This workstation is not connected to a sync server.');
    const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
    await this.request('POST', MAILBOX_ROUTES.address, {
      encryptionPublic: b64(keys.encryption.publicKey),
      signingPublic: b64(keys.signing.publicKey),
      signature: b64(ed25519.sign(mailboxClaimMessage(clinicId), keys.signing.secretKey)),
    });
  }

  async post(to: string, pkg: Uint8Array): Promise<string> {
    const r = (await this.request('POST', MAILBOX_ROUTES.messages, {
      to,
      package: Buffer.from(pkg).toString('base64'),
    })) as { id?: unknown };
    if (typeof r?.id !== 'string') throw new MailboxUnavailable('The sync server gave an unexpected answer.');
    return r.id;
  }

  async list(): Promise<MailboxListed[]> {
    const r = (await this.request('GET', MAILBOX_ROUTES.messages)) as { messages?: unknown };
    if (!Array.isArray(r?.messages))
      throw new MailboxUnavailable('The sync server gave an unexpected answer.');
    return r.messages.filter(
      (m): m is MailboxListed =>
        typeof m?.id === 'string' && /^[0-9a-f-]{36}$/.test(m.id) && typeof m.bytes === 'number',
    );
  }

  async fetch(id: string): Promise<Uint8Array> {
    const r = (await this.request('GET', MAILBOX_ROUTES.message(id))) as { package?: unknown };
    if (typeof r?.package !== 'string')
      throw new MailboxUnavailable('The sync server gave an unexpected answer.');
    return new Uint8Array(Buffer.from(r.package, 'base64'));
  }

  async ack(id: string): Promise<void> {
    await this.request('POST', MAILBOX_ROUTES.ack(id), {});
  }

  private async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const url = this.d.serverUrl();
    const installId = this.d.installId();
    if (!url || !installId)
      throw new MailboxUnavailable('This workstation is not connected to a sync server.');
    const token = await this.d.secrets.get(syncTokenAccount(installId));
    if (!token) throw new MailboxUnavailable("This workstation's sync token is missing from the keychain.");
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await (this.d.fetch ?? fetch)(`${url.replace(/\/+$/, '')}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw new MailboxUnavailable('The sync server cannot be reached.');
    }
    const json = (await response.json().catch(() => null)) as { error?: { message?: unknown } } | null;
    if (response.ok) return json;
    if (response.status === 404 && path === MAILBOX_ROUTES.messages && method === 'POST') {
      throw new MailboxUnavailable('The receiving clinic has no mailbox on this sync server.');
    }
    const message = typeof json?.error?.message === 'string' ? json.error.message : `HTTP ${response.status}`;
    throw new MailboxUnavailable(`The sync server refused the mailbox request (${message}).`);
  }
}
