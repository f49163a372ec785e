import type { Channel, OutputOf, ParsedInputOf } from '../../src-shared/contract.js';
import type { AttachmentStore } from '../attachments/store.js';
import type { Session } from '../auth/session.js';
import type { BackupService } from '../backup/service.js';
import type { BillingRepo } from '../billing/repo.js';
import type { AppointmentsRepo } from '../store/appointments-repo.js';
import type { AuditRepo } from '../store/audit-repo.js';
import type { ClinicalRepo } from '../store/clinical-repo.js';
import type { Db } from '../store/db.js';
import type { PatientsRepo } from '../store/patients-repo.js';
import type { SecondFactorRepo } from '../store/second-factor-repo.js';
import type { SecurityRepo } from '../store/security-repo.js';
import type { SettingsRepo } from '../store/settings-repo.js';
import type { ThrottleRepo } from '../store/throttle-repo.js';
import type { UsersRepo } from '../store/users-repo.js';
import type { VisitsRepo } from '../store/visits-repo.js';
import type { KeyService } from '../keys/service.js';
import type { LabResultsRepo } from '../interop/lab-results-repo.js';
import type { MailboxLink } from '../referrals/mailbox-link.js';
import type { ReferralRepo } from '../referrals/repo.js';
import type { SyncService } from '../sync/service.js';

export interface Services {
  db: Db;
  users: UsersRepo;
  secondFactors: SecondFactorRepo;
  patients: PatientsRepo;
  visits: VisitsRepo;
  appointments: AppointmentsRepo;
  clinical: ClinicalRepo;
  attachments: AttachmentStore;
  settings: SettingsRepo;
  labResults: LabResultsRepo;
  billing: BillingRepo;
  throttle: ThrottleRepo;
  backup: BackupService;
  audit: AuditRepo;
  security: SecurityRepo;
  sync: SyncService;
  keys: KeyService;
  /** Referrals (issue 8): keys, cards and inbox; the server mailbox. */
  referrals: ReferralRepo;
  mailbox: MailboxLink;
  now: () => number;
  /** Today's date in the clinic's zone, 'YYYY-MM-DD'. */
  today(): string;
  idleMinutes(): number;
}

export interface CallContext {
  session: Session;
  services: Services;
  /** Names what the call touched, for the audit event the router writes afterwards. */
  subject(
    type: string,
    id: string,
    detail?: Record<string, string | number | boolean | string[] | null>,
  ): void;
}

export type Handler<C extends Channel> = (
  ctx: CallContext,
  input: ParsedInputOf<C>,
) => Promise<OutputOf<C>> | OutputOf<C>;

export type Handlers = { [C in Channel]: Handler<C> };
