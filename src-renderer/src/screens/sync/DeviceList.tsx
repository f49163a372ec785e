import { useCallback, useEffect, useState } from 'react';
import type { SyncDevice } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { FormAlert } from '../../components/form';
import { whenText } from './syncState';

function formatDate(ms: number): string {
  return new Date(ms).toLocaleString('en-IN', { dateStyle: 'medium', timeStyle: 'short' });
}

function StatusCell({ device }: { device: SyncDevice }) {
  if (device.revokedAt !== null) {
    return <span className="status status-inactive">Revoked {formatDate(device.revokedAt)}</span>;
  }
  if (device.self) return <span className="status sync-self">This workstation</span>;
  return <span className="status status-active">Active</span>;
}

interface RowActionsProps {
  device: SyncDevice;
  confirming: boolean;
  busy: boolean;
  onAsk: () => void;
  onConfirm: () => void;
  onKeep: () => void;
}

function RowActions({ device, confirming, busy, onAsk, onConfirm, onKeep }: RowActionsProps) {
  // A workstation cannot revoke itself, and a revoked one has nothing left to revoke.
  if (device.self || device.revokedAt !== null) return null;
  const who = <span className="visually-hidden"> {device.name}</span>;
  if (!confirming) {
    return (
      <div className="row-actions">
        <button type="button" className="btn btn-small" disabled={busy} onClick={onAsk}>
          Revoke{who}
        </button>
      </div>
    );
  }
  return (
    <fieldset className="row-actions sync-confirm">
      <legend className="visually-hidden">Confirm revoking {device.name}</legend>
      <span>Revoke {device.name}? It will no longer be able to sync.</span>
      <button type="button" className="btn btn-small sync-danger" disabled={busy} onClick={onConfirm}>
        {busy ? 'Revoking…' : 'Yes, revoke'}
        {who}
      </button>
      <button type="button" className="btn btn-small" disabled={busy} onClick={onKeep}>
        Keep it
      </button>
    </fieldset>
  );
}

function useDevices() {
  const [devices, setDevices] = useState<SyncDevice[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmingId, setConfirmingId] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const reload = useCallback(async () => {
    const result = await call('sync.devices', {});
    if (result.ok) {
      setDevices(result.value);
      setError(null);
    } else {
      setError(summaryOf(result.error));
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  async function revoke(device: SyncDevice) {
    if (busyId) return;
    setBusyId(device.id);
    setError(null);
    setNotice(null);
    const result = await call('sync.revokeDevice', { deviceId: device.id });
    setBusyId(null);
    setConfirmingId(null);
    if (!result.ok) {
      setError(summaryOf(result.error));
      return;
    }
    setDevices(result.value);
    setNotice(`${device.name} was revoked. The server will refuse it from now on.`);
  }
  return { devices, error, notice, confirmingId, setConfirmingId, busyId, reload, revoke };
}

/** The clinic's workstations, when the server last saw each, and revoking one. */
export function DeviceList() {
  const { devices, error, notice, confirmingId, setConfirmingId, busyId, reload, revoke } = useDevices();
  return (
    <section className="card form-card" aria-labelledby="devices-title">
      <div className="sync-section-head">
        <h2 id="devices-title">Workstations</h2>
        <button type="button" className="btn btn-small" onClick={() => void reload()}>
          Refresh list
        </button>
      </div>
      <FormAlert message={error} testId="devices-error" />
      <p className="status-line" role="status" data-testid="devices-notice">
        {notice ?? ''}
      </p>
      {devices === null && !error ? <p className="muted">Loading workstations…</p> : null}
      {devices && devices.length === 0 ? <p className="muted">No workstations yet.</p> : null}
      {devices && devices.length > 0 ? (
        <div className="table-card">
          <table className="table" aria-labelledby="devices-title" data-testid="devices-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Enrolled</th>
                <th scope="col">Last seen</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {devices.map((device) => (
                <tr
                  key={device.id}
                  className={device.revokedAt !== null ? 'row-inactive' : undefined}
                  data-testid={`device-row-${device.id}`}
                >
                  <td>{device.name}</td>
                  <td>{formatDate(device.enrolledAt)}</td>
                  <td>{whenText(device.lastSeenAt, 'Not yet')}</td>
                  <td>
                    <StatusCell device={device} />
                  </td>
                  <td>
                    <RowActions
                      device={device}
                      confirming={confirmingId === device.id}
                      busy={busyId === device.id}
                      onAsk={() => setConfirmingId(device.id)}
                      onConfirm={() => void revoke(device)}
                      onKeep={() => setConfirmingId(null)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
