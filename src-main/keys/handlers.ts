import type { Handlers } from '../ipc/handler-types.js';

type KeyChannels = 'keys.status' | 'keys.rotate' | 'keys.exportRecoveryKit';

export const keyHandlers: Pick<Handlers, KeyChannels> = {
  'keys.status': ({ services }) => services.keys.status(),
  // async: they wait on the keychain (and argon2id); the job itself runs after the call returns.
  'keys.rotate': async (ctx) => {
    const status = await ctx.services.keys.rotate();
    ctx.subject('key-version', String(status.active), { from: status.rotation?.from.map(String) ?? [] });
    return status;
  },
  'keys.exportRecoveryKit': async (ctx, input) => {
    const kit = await ctx.services.keys.exportKit(input.passphrase, ctx.session.username ?? '');
    ctx.subject('recovery-kit', kit.fileName, { versions: kit.versions.map(String) });
    return kit;
  },
};
