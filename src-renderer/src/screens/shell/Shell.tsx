import { type ComponentType, useEffect } from 'react';
import { ROLE_LABELS } from '../../../../src-shared/roles';
import { findRoute, homeFor, navigate, routesFor } from '../../router';
import { logout, startSessionWatch } from '../../session';
import { useApp } from '../../store';
import { BackupScreen } from '../admin/BackupScreen';
import { BillingReportScreen } from '../admin/BillingReportScreen';
import { PricesScreen } from '../admin/PricesScreen';
import { KeysScreen } from '../admin/KeysScreen';
import { AuditScreen } from '../admin/AuditScreen';
import { PatientHistoryScreen } from '../admin/PatientHistoryScreen';
import { SecurityScreen } from '../admin/SecurityScreen';
import { SettingsScreen } from '../admin/SettingsScreen';
import { StaffScreen } from '../admin/StaffScreen';
import { AppointmentsScreen } from '../appointments/AppointmentsScreen';
import { LockPanel } from '../auth/LockPanel';
import { BillingScreen } from '../billing/BillingScreen';
import { DoctorScreen } from '../doctor/DoctorScreen';
import { ExchangeScreen } from '../interop/ExchangeScreen';
import { QueueScreen } from '../queue/QueueScreen';
import { ReceptionScreen } from '../reception/ReceptionScreen';
import { ClinicsScreen } from '../referrals/ClinicsScreen';
import { ReferralsScreen } from '../referrals/ReferralsScreen';
import { SchedulesScreen } from '../schedule/SchedulesScreen';
import { SyncIndicator } from '../sync/SyncIndicator';
import { SyncScreen } from '../sync/SyncScreen';
import { NotFound, NotPermitted } from './panels';

const SCREENS: Record<string, ComponentType> = {
  '/reception': ReceptionScreen,
  '/queue': QueueScreen,
  '/appointments': AppointmentsScreen,
  '/doctor': DoctorScreen,
  '/schedules': SchedulesScreen,
  '/admin/staff': StaffScreen,
  '/admin/settings': SettingsScreen,
  '/admin/patient-history': PatientHistoryScreen,
  '/admin/sync': SyncScreen,
  '/admin/audit': AuditScreen,
  '/admin/security': SecurityScreen,
  '/admin/workstations': SyncScreen,
  '/admin/keys': KeysScreen,
  '/admin/backup': BackupScreen,
  '/billing': BillingScreen,
  '/admin/prices': PricesScreen,
  '/admin/billing-reports': BillingReportScreen,
  '/referrals': ReferralsScreen,
  '/admin/clinics': ClinicsScreen,
  '/exchange': ExchangeScreen,
};

function Header() {
  const clinicName = useApp((s) => s.clinicName);
  const user = useApp((s) => s.user);
  const route = useApp((s) => s.route);
  if (!user) return null;
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          K
        </span>
        <span className="clinic-name" data-testid="clinic-name">
          {clinicName ?? 'Kavach'}
        </span>
      </div>
      <nav aria-label="Main">
        <ul className="nav-list">
          {routesFor(user.role).map((item) => (
            <li key={item.path}>
              <a href={`#${item.path}`} aria-current={route === item.path ? 'page' : undefined}>
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="user-box">
        <SyncIndicator />
        <span className="user-name" data-testid="user-name">
          {user.displayName}
        </span>
        <span className="role-badge" data-testid="user-role">
          {ROLE_LABELS[user.role]}
        </span>
        <button type="button" className="btn btn-quiet" onClick={() => void logout()}>
          Log out
        </button>
      </div>
    </header>
  );
}

function Content() {
  const user = useApp((s) => s.user);
  const route = useApp((s) => s.route);
  useEffect(() => {
    if (user && route === '') navigate(homeFor(user.role));
  }, [user, route]);
  if (!user || route === '') return null;
  const def = findRoute(route);
  if (!def) return <NotFound />;
  if (!def.roles.includes(user.role)) return <NotPermitted />;
  const Screen = SCREENS[def.path] ?? NotFound;
  return <Screen />;
}

/** Everything behind login; the lock panel covers it without unmounting it. */
export function Shell() {
  const locked = useApp((s) => s.locked);
  useEffect(() => startSessionWatch(), []);
  return (
    <>
      <div className="app" inert={locked} aria-hidden={locked ? true : undefined}>
        <Header />
        <main className="content">
          <Content />
        </main>
      </div>
      {locked ? <LockPanel /> : null}
    </>
  );
}
