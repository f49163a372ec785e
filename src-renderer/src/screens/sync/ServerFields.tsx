import type { ReactNode } from 'react';
import { type FieldErrors, TextField } from '../../components/form';
import type { ServerValues } from './syncForm';

interface ServerFieldsProps {
  values: ServerValues;
  set: (key: keyof ServerValues) => (value: string) => void;
  errors: FieldErrors;
  codeLabel: string;
  codeHint: ReactNode;
  autoFocus?: boolean;
}

/** Server address, a one-time code and this workstation's name. */
export function ServerFields({ values, set, errors, codeLabel, codeHint, autoFocus }: ServerFieldsProps) {
  return (
    <>
      <TextField
        label="Server address"
        value={values.serverUrl}
        onChange={set('serverUrl')}
        error={errors.serverUrl}
        hint="Like https://sync.example.clinic or http://192.168.1.10:8787"
        autoComplete="url"
        autoFocus={autoFocus}
        required
        testId="sync-server-url"
      />
      <TextField
        label={codeLabel}
        value={values.code}
        onChange={set('code')}
        error={errors.code}
        hint={codeHint}
        className="sync-code-field"
        required
        testId="sync-code"
      />
      <TextField
        label="This workstation's name"
        value={values.deviceName}
        onChange={set('deviceName')}
        error={errors.deviceName}
        hint="So the clinic's list of workstations says which computer this is, e.g. Reception desk 2."
        required
        testId="sync-device-name"
      />
    </>
  );
}
