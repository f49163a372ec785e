import { useCallback, useEffect, useState } from 'react';
import type { Result } from '../../../../src-shared/result';
import { ROLE_LABELS } from '../../../../src-shared/roles';
import type { StaffDetail, StaffSummary } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { FormAlert } from '../../components/form';
import { ResetPasswordForm } from './ResetPasswordForm';
import { ResetSecondFactorDialog } from './ResetSecondFactorDialog';
import { StaffForm } from './StaffForm';

type Panel =
  | { kind: 'none' }
  | { kind: 'add' }
  | { kind: 'edit'; staff: StaffDetail }
  | { kind: 'reset'; staff: StaffSummary };

function formatLockedUntil(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

interface RowProps {
  staff: StaffSummary;
  busy: boolean;
  onEdit: () => void;
  onToggleActive: () => void;
  onReset: () => void;
  onResetSecondFactor: () => void;
}

function StaffRow({ staff, busy, onEdit, onToggleActive, onReset, onResetSecondFactor }: RowProps) {
  const toggle = staff.active ? 'Deactivate' : 'Reactivate';
  return (
    <tr data-testid={`staff-row-${staff.username}`} className={staff.active ? undefined : 'row-inactive'}>
      <td>{staff.displayName}</td>
      <td className="mono">{staff.username}</td>
      <td>{ROLE_LABELS[staff.role]}</td>
      <td>
        <span className={staff.active ? 'status status-active' : 'status status-inactive'}>
          {staff.active ? 'Active' : 'Inactive'}
        </span>
      </td>
      <td>{formatLockedUntil(staff.lockedUntil)}</td>
      <td>{staff.secondFactor ? 'Set up' : '—'}</td>
      <td className="row-actions">
        <button type="button" className="btn btn-small" onClick={onEdit} disabled={busy}>
          Edit<span className="visually-hidden"> {staff.displayName}</span>
        </button>
        <button type="button" className="btn btn-small" onClick={onToggleActive} disabled={busy}>
          {toggle}
          <span className="visually-hidden"> {staff.displayName}</span>
        </button>
        <button type="button" className="btn btn-small" onClick={onReset} disabled={busy}>
          Reset password<span className="visually-hidden"> for {staff.displayName}</span>
        </button>
        {staff.secondFactor ? (
          <button type="button" className="btn btn-small" onClick={onResetSecondFactor} disabled={busy}>
            Reset second factor<span className="visually-hidden"> for {staff.displayName}</span>
          </button>
        ) : null}
      </td>
    </tr>
  );
}

function useStaffList() {
  const [staff, setStaff] = useState<StaffSummary[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    const result = await call('staff.list', { includeInactive: true });
    if (result.ok) {
      setStaff(result.value);
      setLoadError(null);
    } else {
      setLoadError(summaryOf(result.error));
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { staff, loadError, reload };
}

interface TableProps {
  staff: StaffSummary[];
  busyId: string | null;
  onEdit: (row: StaffSummary) => void;
  onToggleActive: (row: StaffSummary) => void;
  onReset: (row: StaffSummary) => void;
  onResetSecondFactor: (row: StaffSummary) => void;
}

function StaffTable({ staff, busyId, onEdit, onToggleActive, onReset, onResetSecondFactor }: TableProps) {
  return (
    <div className="card table-card">
      <table className="table" aria-labelledby="staff-title">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Username</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Locked until</th>
            <th scope="col">Second factor</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {staff.map((row) => (
            <StaffRow
              key={row.id}
              staff={row}
              busy={busyId === row.id}
              onEdit={() => onEdit(row)}
              onToggleActive={() => onToggleActive(row)}
              onReset={() => onReset(row)}
              onResetSecondFactor={() => onResetSecondFactor(row)}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PanelView({
  panel,
  onFinish,
  onCancel,
}: {
  panel: Panel;
  onFinish: (m: string) => void;
  onCancel: () => void;
}) {
  switch (panel.kind) {
    case 'add':
      return (
        <StaffForm onSaved={(saved) => onFinish(`${saved.displayName} was added.`)} onCancel={onCancel} />
      );
    case 'edit':
      return (
        <StaffForm
          key={panel.staff.id}
          existing={panel.staff}
          onSaved={(saved) => onFinish(`Changes to ${saved.displayName} were saved.`)}
          onCancel={onCancel}
        />
      );
    case 'reset':
      return (
        <ResetPasswordForm
          key={panel.staff.id}
          staff={panel.staff}
          onDone={() => onFinish(`The password for ${panel.staff.displayName} was reset.`)}
          onCancel={onCancel}
        />
      );
    default:
      return null;
  }
}

function useStaffScreen() {
  const { staff, loadError, reload } = useStaffList();
  const [panel, setPanel] = useState<Panel>({ kind: 'none' });
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);

  const open = (next: Panel) => {
    setNotice(null);
    setActionError(null);
    setPanel(next);
  };
  const finish = (message: string) => {
    setPanel({ kind: 'none' });
    setNotice(message);
    void reload();
  };
  async function act<T>(row: StaffSummary, run: () => Promise<Result<T>>, done: (value: T) => void) {
    setActionError(null);
    setBusyId(row.id);
    const result = await run();
    setBusyId(null);
    if (result.ok) done(result.value);
    else setActionError(summaryOf(result.error));
  }
  const onEdit = (row: StaffSummary) =>
    void act(
      row,
      () => call('staff.get', { id: row.id }),
      (detail) => open({ kind: 'edit', staff: detail }),
    );
  const onToggleActive = (row: StaffSummary) =>
    void act(
      row,
      () => call('staff.setActive', { id: row.id, active: !row.active }),
      (detail) => finish(`${detail.displayName} is now ${detail.active ? 'active' : 'inactive'}.`),
    );
  const [confirmReset, setConfirmReset] = useState<StaffSummary | null>(null);
  const onResetSecondFactor = (row: StaffSummary) => {
    setNotice(null);
    setConfirmReset(row);
  };
  const resetSecondFactor = (row: StaffSummary) => {
    setConfirmReset(null);
    void act(
      row,
      () => call('staff.resetSecondFactor', { id: row.id }),
      (detail) => finish(`The second factor of ${detail.displayName} was reset.`),
    );
  };
  const close = () => setPanel({ kind: 'none' });
  return {
    staff,
    loadError,
    panel,
    notice,
    actionError,
    busyId,
    open,
    finish,
    close,
    onEdit,
    onToggleActive,
    onResetSecondFactor,
    confirmReset,
    setConfirmReset,
    resetSecondFactor,
  };
}

export function StaffScreen() {
  const {
    staff,
    loadError,
    panel,
    notice,
    actionError,
    busyId,
    open,
    finish,
    close,
    onEdit,
    onToggleActive,
    onResetSecondFactor,
    confirmReset,
    setConfirmReset,
    resetSecondFactor,
  } = useStaffScreen();
  return (
    <section aria-labelledby="staff-title" className="page">
      <div className="page-head">
        <h1 id="staff-title">Staff</h1>
        {panel.kind === 'none' ? (
          <button type="button" className="btn btn-primary" onClick={() => open({ kind: 'add' })}>
            Add staff
          </button>
        ) : null}
      </div>
      <p className="status-line" role="status" data-testid="staff-notice">
        {notice ?? ''}
      </p>
      <FormAlert message={actionError} testId="staff-action-error" />
      <PanelView panel={panel} onFinish={finish} onCancel={close} />
      {confirmReset ? (
        <ResetSecondFactorDialog
          staff={confirmReset}
          onConfirm={() => resetSecondFactor(confirmReset)}
          onClose={() => setConfirmReset(null)}
        />
      ) : null}
      <FormAlert message={loadError} testId="staff-load-error" />
      {staff === null && !loadError ? <p className="muted">Loading staff…</p> : null}
      {staff !== null ? (
        <StaffTable
          staff={staff}
          busyId={busyId}
          onEdit={onEdit}
          onToggleActive={onToggleActive}
          onReset={(row) => open({ kind: 'reset', staff: row })}
          onResetSecondFactor={onResetSecondFactor}
        />
      ) : null}
    </section>
  );
}
