import { call } from '../../api';
import { FormAlert } from '../../components/form';
import { ServerFields } from './ServerFields';
import { useServerForm } from './syncForm';
import { applySyncStatus } from './syncState';

/** Connects this clinic's first workstation to a sync server with the founding code. */
export function ConnectForm({ onConnected }: { onConnected: (message: string) => void }) {
  const { values, set, form, submit } = useServerForm(
    (payload) => call('sync.connect', payload),
    (status) => {
      applySyncStatus(status);
      onConnected(`This workstation is now connected to ${status.serverUrl ?? 'the sync server'}.`);
    },
  );
  return (
    <form
      ref={form.ref}
      className="card form-card"
      onSubmit={submit}
      noValidate
      aria-labelledby="sync-connect-title"
      data-testid="sync-connect-form"
    >
      <h2 id="sync-connect-title">Connect to a sync server</h2>
      <p className="muted">
        A sync server keeps this clinic's workstations up to date with each other. It only ever stores
        encrypted records. The server's operator gives you its address and a founding code for this clinic.
      </p>
      <FormAlert message={form.summary} testId="sync-connect-error" />
      <ServerFields
        values={values}
        set={set}
        errors={form.fields}
        codeLabel="Founding code"
        codeHint="From the server's operator; letters and digits in groups."
      />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          {form.busy ? 'Connecting…' : 'Connect'}
        </button>
      </div>
    </form>
  );
}
