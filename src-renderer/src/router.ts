import type { Role } from '../../src-shared/roles';
import { useApp } from './store';

export interface RouteDef {
  path: string;
  label: string;
  roles: readonly Role[];
}

/** Every screen behind login; navigation shows only the current role's entries, and each
 *  role starts on its first entry (Reception, Doctor, Staff). */
export const ROUTES: readonly RouteDef[] = [
  { path: '/reception', label: 'Reception', roles: ['receptionist'] },
  { path: '/queue', label: 'Queue', roles: ['receptionist'] },
  { path: '/doctor', label: 'Doctor', roles: ['doctor'] },
  { path: '/admin/staff', label: 'Staff', roles: ['admin'] },
  { path: '/appointments', label: 'Appointments', roles: ['receptionist', 'doctor'] },
  { path: '/schedules', label: 'Schedules', roles: ['admin', 'doctor'] },
  { path: '/admin/settings', label: 'Settings', roles: ['admin'] },
  { path: '/admin/patient-history', label: 'Patient history', roles: ['admin'] },
  { path: '/admin/sync', label: 'Sync', roles: ['admin'] },
  { path: '/admin/audit', label: 'Audit', roles: ['admin'] },
  { path: '/admin/security', label: 'Security', roles: ['admin'] },
  // The same screen as Sync: its workstation list is where an admin revokes one.
  { path: '/admin/workstations', label: 'Workstations', roles: ['admin'] },
  { path: '/admin/keys', label: 'Keys', roles: ['admin'] },
  { path: '/admin/backup', label: 'Backup', roles: ['admin'] },
  { path: '/billing', label: 'Billing', roles: ['receptionist', 'admin'] },
  { path: '/admin/prices', label: 'Price list', roles: ['admin'] },
  { path: '/admin/billing-reports', label: 'Daily report', roles: ['admin'] },
  { path: '/referrals', label: 'Referrals', roles: ['doctor', 'receptionist'] },
  { path: '/admin/clinics', label: 'Clinics', roles: ['admin'] },
  { path: '/exchange', label: 'Exchange', roles: ['receptionist', 'doctor', 'admin'] },
];

export function routesFor(role: Role): RouteDef[] {
  return ROUTES.filter((route) => route.roles.includes(role));
}

export function homeFor(role: Role): string {
  return routesFor(role)[0]?.path ?? '/';
}

export function findRoute(path: string): RouteDef | undefined {
  return ROUTES.find((route) => route.path === path);
}

function currentPath(): string {
  const hash = location.hash.replace(/^#/, '');
  return hash.startsWith('/') ? hash : '';
}

export function navigate(path: string): void {
  if (currentPath() === path) return;
  location.hash = `#${path}`;
}

export function startRouter(): void {
  const sync = () => useApp.setState({ route: currentPath() });
  window.addEventListener('hashchange', sync);
  sync();
}
