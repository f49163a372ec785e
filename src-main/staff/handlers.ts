import type { Role } from '../../src-shared/roles.js';
import type { DoctorProfile, StaffDetail } from '../../src-shared/types.js';
import { strongPassword } from '../auth/handlers.js';
import { hashPassword } from '../auth/passwords.js';
import { Failure } from '../ipc/failure.js';
import type { Handlers, Services } from '../ipc/handler-types.js';
import type { UserRecord } from '../store/users-repo.js';

function detail(s: Services, u: UserRecord): StaffDetail {
  const until = s.users.lockedUntil(u.username);
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    active: u.active,
    lockedUntil: until && until > s.now() ? new Date(until).toISOString() : null,
    secondFactor: s.secondFactors.state(u.id) === 'enrolled',
    doctor: u.doctor,
  };
}

function mustExist(s: Services, id: string): UserRecord {
  const u = s.users.byId(id);
  if (!u) throw new Failure('NOT_FOUND', 'No staff account with that id.');
  return u;
}

/** The clinic must always keep one active admin, or nobody could manage staff or keys. */
function keepsAnAdmin(s: Services, changedId: string, role: Role, active: boolean): void {
  if (role === 'admin' && active) return;
  const others = s.users.list(false).filter((u) => u.role === 'admin' && u.id !== changedId);
  if (others.length === 0) {
    throw new Failure('CONFLICT', 'The clinic needs at least one active admin. Make another admin first.', {
      role: 'The last active admin cannot lose the admin role',
    });
  }
}

const profileFor = (role: Role, doctor: DoctorProfile | null | undefined) => (role === 'doctor' ? (doctor ?? null) : null);

export const staffHandlers: Pick<
  Handlers,
  | 'staff.list'
  | 'staff.get'
  | 'staff.create'
  | 'staff.update'
  | 'staff.setActive'
  | 'staff.resetPassword'
  | 'staff.resetSecondFactor'
> = {
  'staff.list': ({ services }, input) =>
    services.users.list(input.includeInactive).map((u) => {
      const { doctor: _doctor, ...summary } = detail(services, u);
      return summary;
    }),

  'staff.get': (ctx, input) => {
    ctx.subject('user', input.id);
    return detail(ctx.services, mustExist(ctx.services, input.id));
  },

  'staff.create': async (ctx, input) => {
    const s = ctx.services;
    if (s.users.idByUsername(input.username)) {
      throw new Failure('CONFLICT', 'That username is already taken.', { username: 'This username is taken' });
    }
    strongPassword(input.password, input.username);
    const passwordHash = await hashPassword(input.password);
    const id = s.users.create({
      username: input.username,
      role: input.role,
      displayName: input.displayName,
      passwordHash,
      doctor: profileFor(input.role, input.doctor),
    });
    ctx.subject('user', id, { role: input.role });
    return detail(s, mustExist(s, id));
  },

  'staff.update': (ctx, input) => {
    const s = ctx.services;
    const before = mustExist(s, input.id);
    keepsAnAdmin(s, input.id, input.role, before.active);
    s.users.updateProfile(input.id, {
      role: input.role,
      displayName: input.displayName,
      doctor: profileFor(input.role, input.doctor),
    });
    const changed = ['displayName', 'role', 'doctor'].filter((k) => {
      const key = k as 'displayName' | 'role' | 'doctor';
      return JSON.stringify(before[key]) !== JSON.stringify(key === 'doctor' ? profileFor(input.role, input.doctor) : input[key]);
    });
    ctx.subject('user', input.id, { changed });
    return detail(s, mustExist(s, input.id));
  },

  'staff.setActive': (ctx, input) => {
    const s = ctx.services;
    const user = mustExist(s, input.id);
    if (!input.active && input.id === ctx.session.userId) {
      throw new Failure('CONFLICT', 'You cannot deactivate your own account.');
    }
    keepsAnAdmin(s, input.id, user.role, input.active);
    s.users.setActive(input.id, input.active);
    ctx.subject('user', input.id, { active: input.active });
    return detail(s, mustExist(s, input.id));
  },

  'staff.resetPassword': async (ctx, input) => {
    const s = ctx.services;
    const user = mustExist(s, input.id);
    strongPassword(input.newPassword, user.username, 'newPassword');
    s.users.setPasswordHash(input.id, await hashPassword(input.newPassword));
    s.throttle.clear(user.username);
    ctx.subject('user', input.id);
    return null;
  },

  // Another admin only: an admin who could drop their own factor would make it optional
  // for whoever has their password.
  'staff.resetSecondFactor': (ctx, input) => {
    const s = ctx.services;
    const user = mustExist(s, input.id);
    ctx.subject('user', input.id);
    if (input.id === ctx.session.userId) {
      throw new Failure('CONFLICT', 'You cannot reset your own second factor. Ask another admin.');
    }
    const had = s.secondFactors.state(input.id);
    s.secondFactors.reset(input.id);
    s.throttle.clear(user.username);
    ctx.subject('user', input.id, { had });
    return detail(s, mustExist(s, input.id));
  },
};
