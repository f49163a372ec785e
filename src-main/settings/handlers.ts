import { Failure } from '../ipc/failure.js';
import type { Handlers } from '../ipc/handler-types.js';

export const settingsHandlers: Pick<
  Handlers,
  'settings.get' | 'settings.update' | 'audit.verify' | 'settings.setSecondFactorRoles'
> = {
  'settings.get': ({ services }) => {
    const settings = services.settings.get();
    if (!settings) throw new Failure('NOT_FOUND', 'The clinic has not been set up yet.');
    return settings;
  },

  'settings.update': (ctx, input) => {
    ctx.services.settings.put(input);
    ctx.subject('settings', 'clinic', { idleMinutes: input.idleMinutes });
    return ctx.services.settings.get()!;
  },

  'settings.setSecondFactorRoles': (ctx, input) => {
    const s = ctx.services;
    if (!s.settings.get()) throw new Failure('NOT_FOUND', 'The clinic has not been set up yet.');
    s.settings.setSecondFactorRoles(input.roles);
    ctx.subject('settings', 'clinic', { secondFactorRoles: [...input.roles] });
    return s.settings.get()!;
  },

  'audit.verify': ({ services }) => services.audit.verify(),
};
