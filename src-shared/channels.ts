import type { Channel } from './contract.js';

/**
 * The contract's channel names and nothing else, so the preload can build window.kavach without
 * bundling zod and the schemas. channels.test.ts proves this equals contract.ts's CHANNELS; the
 * `satisfies` below catches a misspelt name at compile time.
 */
export const CHANNEL_NAMES = [
  'setup.status',
  'setup.createClinic',
  'auth.login',
  'auth.unlock',
  'auth.logout',
  'auth.changePassword',
  'session.status',
  'session.heartbeat',
  'staff.list',
  'staff.get',
  'staff.create',
  'staff.update',
  'staff.setActive',
  'staff.resetPassword',
  'settings.get',
  'settings.update',
  'audit.verify',
  'patients.register',
  'patients.search',
  'patients.get',
  'patients.update',
  'patients.revealNationalId',
  'patients.history',
  'patients.setPhoto',
  'patients.photo',
  'patients.slip',
  'doctors.list',
  'visits.checkIn',
  'visits.queue',
  'visits.setStatus',
  'schedule.get',
  'schedule.set',
  'schedule.setLeave',
  'appointments.slots',
  'appointments.list',
  'appointments.book',
  'appointments.reschedule',
  'appointments.cancel',
  'appointments.checkIn',
] as const satisfies readonly Channel[];
