import { Failure } from '../ipc/failure.js';
import type { CallContext, Handlers } from '../ipc/handler-types.js';
import { BackupError } from './format.js';
import { BackupRefused } from './service.js';

type BackupChannels = 'backup.status' | 'backup.configure' | 'backup.runNow' | 'backup.verify';

/** Turns a refusal into a field error; the router audits the failed call with this reason. */
function refuse(ctx: CallContext, action: string, e: unknown): never {
  if (e instanceof BackupError) {
    ctx.subject('backup', action, { reason: e.reason });
    const field = e.reason === 'wrong-passphrase' ? 'passphrase' : 'file';
    throw new Failure('VALIDATION', e.message, { [field]: e.message });
  }
  if (e instanceof BackupRefused) {
    ctx.subject('backup', action, { reason: 'refused' });
    throw new Failure('CONFLICT', e.message);
  }
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EROFS') {
    ctx.subject('backup', action, { reason: code });
    const field = action === 'verify' ? 'file' : 'folder';
    const message =
      code === 'ENOENT'
        ? 'That file or folder does not exist.'
        : 'Kavach cannot use that path (permission or type).';
    throw new Failure('VALIDATION', message, { [field]: message });
  }
  throw e;
}

export const backupHandlers: Pick<Handlers, BackupChannels> = {
  'backup.status': async ({ services }) => services.backup.status(),

  'backup.configure': async (ctx, input) => {
    try {
      const s = await ctx.services.backup.configure(
        { folder: input.folder, keep: input.keep, enabled: input.enabled },
        input.newPassphrase,
      );
      ctx.subject('backup', 'schedule', {
        keep: input.keep,
        enabled: input.enabled,
        passphraseChanged: input.newPassphrase !== null,
      });
      return s;
    } catch (e) {
      return refuse(ctx, 'configure', e);
    }
  },

  'backup.runNow': async (ctx, input) => {
    try {
      const target =
        input.folder && input.passphrase ? { folder: input.folder, passphrase: input.passphrase } : undefined;
      const created = await ctx.services.backup.run(target);
      ctx.subject('backup', created.name, {
        bytes: created.bytes,
        attachments: created.manifest.attachments.length,
        scheduledFolder: !target,
      });
      return { name: created.name, bytes: created.bytes, file: created.file };
    } catch (e) {
      return refuse(ctx, 'run', e);
    }
  },

  'backup.verify': async (ctx, input) => {
    try {
      const check = await ctx.services.backup.check(input.file, input.passphrase);
      ctx.subject('backup', 'verify', { ok: true, attachments: check.attachments });
      return check;
    } catch (e) {
      return refuse(ctx, 'verify', e);
    }
  },
};
