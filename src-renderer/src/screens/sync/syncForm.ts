import { type FormEvent, useState } from 'react';
import type { AppError } from '../../../../src-shared/result';
import type { SyncStatus } from '../../../../src-shared/types';
import { useFormState } from '../../components/form';

/** The three things both "Connect to a sync server" and "Join an existing clinic" ask for. */
export interface ServerValues {
  serverUrl: string;
  code: string;
  deviceName: string;
}

export const SERVER_FIELDS = ['serverUrl', 'code', 'deviceName'] as const;

const EMPTY: ServerValues = { serverUrl: '', code: '', deviceName: '' };

type Sender = (
  payload: ServerValues,
) => Promise<{ ok: true; value: SyncStatus } | { ok: false; error: AppError }>;

/**
 * Form state for a server address, a code and this workstation's name. Main checks every
 * field; its messages are shown beside the fields, anything else above the form.
 */
export function useServerForm(send: Sender, onDone: (status: SyncStatus) => void) {
  const [values, setValues] = useState(EMPTY);
  const form = useFormState();
  const set = (key: keyof ServerValues) => (value: string) => setValues((v) => ({ ...v, [key]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    form.setBusy(true);
    const result = await send({
      serverUrl: values.serverUrl.trim(),
      code: values.code.trim(),
      deviceName: values.deviceName.trim(),
    });
    form.setBusy(false);
    if (!result.ok) {
      form.showError(result.error, SERVER_FIELDS);
      return;
    }
    onDone(result.value);
  }

  return { values, set, form, submit };
}
