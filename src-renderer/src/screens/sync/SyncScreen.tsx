import { useEffect, useState } from 'react';
import { FormAlert } from '../../components/form';
import { ConnectForm } from './ConnectForm';
import { DeviceList } from './DeviceList';
import { EnrollmentPanel } from './EnrollmentPanel';
import { SyncStatusPanel } from './SyncStatusPanel';
import { refreshSync, useSync } from './syncState';
import './sync.css';

/** Admin → Sync: the status in full, connecting, adding workstations and the device list. */
export function SyncScreen() {
  const status = useSync((s) => s.status);
  const problem = useSync((s) => s.problem);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    void refreshSync();
  }, []);
  const configured = status !== null && status.state !== 'not-configured';
  return (
    <section aria-labelledby="sync-title" className="page sync-page">
      <div className="page-head">
        <h1 id="sync-title">Sync</h1>
      </div>
      <p className="status-line" role="status" data-testid="sync-notice">
        {notice ?? ''}
      </p>
      {status === null ? (
        problem ? (
          <FormAlert message={problem} testId="sync-load-error" />
        ) : (
          <p className="muted">Loading sync status…</p>
        )
      ) : (
        <>
          <SyncStatusPanel status={status} />
          {configured ? (
            <>
              <EnrollmentPanel />
              <DeviceList />
            </>
          ) : (
            <ConnectForm onConnected={setNotice} />
          )}
        </>
      )}
    </section>
  );
}
