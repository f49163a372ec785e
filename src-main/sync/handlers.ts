import { Failure } from '../ipc/failure.js';
import type { Handlers } from '../ipc/handler-types.js';

type SyncChannels =
  | 'setup.joinClinic'
  | 'sync.status'
  | 'sync.now'
  | 'sync.connect'
  | 'sync.createEnrollment'
  | 'sync.devices'
  | 'sync.revokeDevice'
  | 'sync.conflicts';

export const syncHandlers: Pick<Handlers, SyncChannels> = {
  'setup.joinClinic': async ({ services: s }, input) => {
    const status = await s.sync.join(
      input.serverUrl,
      input.code,
      input.deviceName,
      () => s.users.count() === 0 && s.sync.engine.status().pending === 0,
    );
    s.audit.append({
      actorUserId: null,
      actorRole: null,
      action: 'setup.joinClinic',
      outcome: 'ok',
      detail: { deviceName: input.deviceName },
    });
    return status;
  },
  'sync.status': ({ services }) => services.sync.status(),
  // Handlers that wait on the network are declared async: the router runs the others
  // inside a SQLite transaction together with their audit event.
  'sync.now': async ({ services }) => services.sync.engine.syncNow(),
  'sync.connect': async ({ services }, input) =>
    services.sync.connect(input.serverUrl, input.code, input.deviceName),
  'sync.createEnrollment': async ({ services }) => services.sync.createEnrollment(),
  'sync.devices': async ({ services }) => services.sync.devices(),
  'sync.revokeDevice': async (ctx, input) => {
    ctx.subject('device', input.deviceId);
    return ctx.services.sync.revoke(input.deviceId);
  },
  'sync.conflicts': (ctx, input) => {
    ctx.subject('patient', input.rowId);
    return ctx.services.sync.conflicts(input.rowId);
  },
};

/**
 * While a joining workstation is still receiving the clinic's records, it counts as not set
 * up: setup.status says so (the screen keeps showing the join progress from sync.status),
 * and neither a new clinic nor a login is allowed, since the staff and their passwords may
 * not all have arrived yet.
 */
export function guardWhileJoining(handlers: Handlers): Handlers {
  const joiningRefusal = (what: string) =>
    new Failure(
      'CONFLICT',
      `This workstation is still receiving the clinic's records; ${what} once that has finished.`,
    );
  return {
    ...handlers,
    'setup.status': (ctx, input) => {
      if (ctx.services.sync.engine.joining)
        return { needsSetup: true, clinicName: ctx.services.sync.clinicName() };
      return handlers['setup.status'](ctx, input);
    },
    // async like the handlers they wrap, so the router treats them alike.
    'setup.createClinic': async (ctx, input) => {
      if (ctx.services.sync.engine.configured && ctx.services.users.count() === 0) {
        throw new Failure(
          'SETUP_DONE',
          'This workstation has joined a clinic: its staff accounts arrive with the first sync. Log in with your existing account once it has finished.',
        );
      }
      return handlers['setup.createClinic'](ctx, input);
    },
    'auth.login': async (ctx, input) => {
      if (ctx.services.sync.engine.joining) throw joiningRefusal('log in');
      return handlers['auth.login'](ctx, input);
    },
  };
}
