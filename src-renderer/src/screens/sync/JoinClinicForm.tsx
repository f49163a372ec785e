import { useEffect, useState } from 'react';
import type { SyncStatus } from '../../../../src-shared/types';
import { call } from '../../api';
import { FormAlert } from '../../components/form';
import { bootstrap } from '../../session';
import { useApp } from '../../store';
import { ServerFields } from './ServerFields';
import { InitialProgress } from './SyncStatusPanel';
import { useServerForm } from './syncForm';
import { progressCounts } from './syncState';
import './sync.css';

const SETUP_POLL_MS = 1_000;

/**
 * After a successful join, waits until main reports this workstation as set up, then moves
 * to the login screen with a notice. Before login sync.status is refused, so the progress
 * shown is the one joinClinic returned; the header shows the live figure after login.
 */
function useFinishJoin(joined: SyncStatus | null) {
  useEffect(() => {
    if (!joined) return;
    let stopped = false;
    let timer = 0;
    const check = async () => {
      const status = await call('setup.status', {});
      if (stopped) return;
      if (status.ok && !status.value.needsSetup) {
        const clinic = status.value.clinicName ?? 'the clinic';
        useApp.setState({ notice: `This workstation has joined ${clinic}. Log in with your usual account.` });
        await bootstrap();
        return;
      }
      timer = window.setTimeout(() => void check(), SETUP_POLL_MS);
    };
    void check();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [joined]);
}

function Joined({ status }: { status: SyncStatus }) {
  return (
    <div className="sync-joined" data-testid="join-progress">
      <p role="status" aria-live="polite">
        Joined. Copying the clinic's records to this workstation…
        {status.initialSync ? ` ${progressCounts(status.initialSync)}` : ''}
      </p>
      {status.initialSync ? <InitialProgress progress={status.initialSync} /> : null}
      {status.error ? (
        <div className="alert alert-warning" data-testid="join-sync-error">
          {status.error}
        </div>
      ) : null}
      <p className="muted">The login screen opens on its own as soon as this workstation is ready.</p>
    </div>
  );
}

/** Setup's second mode: join a clinic that already syncs, with its server and a one-time code. */
export function JoinClinicForm({ onLock }: { onLock: (locked: boolean) => void }) {
  const [joined, setJoined] = useState<SyncStatus | null>(null);
  const { values, set, form, submit } = useServerForm(
    (payload) => call('setup.joinClinic', payload),
    setJoined,
  );
  useFinishJoin(joined);
  // While joining, and once joined, the screen must not switch to creating a clinic.
  const locked = form.busy || joined !== null;
  useEffect(() => onLock(locked), [locked, onLock]);
  if (joined) return <Joined status={joined} />;
  return (
    <form
      ref={form.ref}
      onSubmit={submit}
      noValidate
      aria-label="Join an existing clinic"
      data-testid="join-form"
    >
      <p className="lead">
        Add this workstation to a clinic that already uses Kavach. Ask the clinic's administrator for the
        server address and a one-time code (Sync → Add a workstation on their workstation).
      </p>
      <FormAlert message={form.summary} testId="join-error" />
      <ServerFields
        values={values}
        set={set}
        errors={form.fields}
        codeLabel="Enrollment code"
        codeHint="Exactly as the administrator's screen shows it: letters and digits in groups."
        autoFocus
      />
      {form.busy ? (
        <p className="muted" role="status">
          Contacting the server and receiving the clinic's keys. For a large clinic this can take a few
          minutes.
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          {form.busy ? 'Joining…' : 'Join clinic'}
        </button>
      </div>
    </form>
  );
}
