import { Failure } from '../ipc/failure.js';
import type { Handlers } from '../ipc/handler-types.js';

export const settingsHandlers: Pick<Handlers, 'settings.get' | 'settings.update' | 'audit.verify'> = {
  'settings.get': ({ services }) => {
    const settings = services.settings.get();
    if (!settings) throw new Failure('NOT_FOUND', 'The clinic has not been set up yet.');
    return settings;
  },

  'settings.update': (ctx, input) => {
    ctx.services.settings.put(input);
    ctx.subject('settings', 'clinic', { idleMinutes: input.idleMinutes });
    return input;
  },

  'audit.verify': ({ services }) => services.audit.verify(),
};
