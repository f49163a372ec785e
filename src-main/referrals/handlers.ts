import { Failure } from '../ipc/failure.js';
import type { CallContext, Handlers } from '../ipc/handler-types.js';
import { MailboxUnavailable } from './mailbox-link.js';
import {
  acceptReferral,
  cardView,
  fetchMailbox,
  inboxItems,
  openPackage,
  ownCard,
  parseCard,
  sendReferral,
} from './service.js';

type ReferralChannels =
  | 'referrals.clinicCard'
  | 'referrals.importCard'
  | 'referrals.confirmCard'
  | 'referrals.listClinics'
  | 'referrals.send'
  | 'referrals.inbox'
  | 'referrals.open'
  | 'referrals.accept';

const me = (ctx: CallContext) => {
  if (!ctx.session.userId) throw new Failure('UNAUTHENTICATED', 'Log in first.');
  return ctx.session.userId;
};

/**
 * Referrals between clinics (issue 8). The handlers that can refuse a package are async, so
 * the security event they record is not rolled back with the failed call (see ipc/router.ts).
 */
export const referralHandlers: Pick<Handlers, ReferralChannels> = {
  'referrals.clinicCard': async (ctx) => {
    const card = ownCard(ctx.services);
    // Where the workstation syncs, the clinic's mailbox address is claimed on the server too.
    if (ctx.services.mailbox.configured) {
      await ctx.services.mailbox.claim(ctx.services.referrals.identity().keys).catch((e: unknown) => {
        if (!(e instanceof MailboxUnavailable)) throw e;
      });
    }
    ctx.subject('clinic-card', card.fingerprint, { action: 'export' });
    return card;
  },

  'referrals.importCard': (ctx, input) => {
    const card = parseCard(input.json);
    const own = ctx.services.referrals.hasIdentity() ? ctx.services.referrals.identity().fingerprint : null;
    if (card.fingerprint === own) {
      throw new Failure('VALIDATION', 'This is this clinic’s own card.', {
        json: 'This is this clinic’s own card.',
      });
    }
    const row = ctx.services.referrals.importCard(card, me(ctx));
    ctx.subject('clinic-card', row.id, { action: 'import', confirmed: row.confirmedAt !== null });
    return cardView(ctx.services, row);
  },

  'referrals.confirmCard': (ctx, input) => {
    const row = ctx.services.referrals.confirmCard(input.id, me(ctx));
    if (!row)
      throw new Failure('NOT_FOUND', 'No card with that fingerprint is imported.', { id: 'Not found' });
    ctx.subject('clinic-card', row.id, { action: 'confirm' });
    return cardView(ctx.services, row);
  },

  'referrals.listClinics': (ctx) => ctx.services.referrals.cards().map((c) => cardView(ctx.services, c)),

  'referrals.send': async (ctx, input) => {
    me(ctx);
    const sent = await sendReferral(ctx.services, input);
    ctx.subject('patient', input.patientId, {
      referral: sent.id,
      toClinic: input.toClinicId,
      posted: sent.posted,
      summary: input.include.summary,
      visits: input.include.visits,
      prescriptions: input.include.prescriptions,
      attachments: input.include.attachments,
    });
    return sent;
  },

  'referrals.inbox': async (ctx) => {
    await fetchMailbox(ctx.services, ctx.session.userId);
    return inboxItems(ctx.services);
  },

  'referrals.open': async (ctx, input) => {
    const { preview, row } = openPackage(ctx.services, ctx.session.userId, input);
    ctx.subject('referral', row.id, {
      from: row.fromFingerprint,
      source: input.inboxId !== null ? 'inbox' : 'file',
      candidates: preview.candidates.length,
    });
    return preview;
  },

  'referrals.accept': async (ctx, input) => {
    const done = await acceptReferral(ctx.services, me(ctx), input);
    ctx.subject('patient', done.patientId, {
      referral: input.id,
      decision: input.decision.mode,
      attachments: done.attachments,
    });
    return done;
  },
};
