/**
 * Where the device key lives. The production backend is the OS keychain through keytar;
 * keytar is archived upstream, so nothing outside this folder may depend on it: a later
 * backend (Electron safeStorage) replaces it behind this interface with a read-old/write-new
 * migration.
 */
export interface SecretStore {
  /** Human name of the backend, for error messages ("GNOME Keyring via keytar"). */
  readonly name: string;
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}

export class KeychainUnavailableError extends Error {
  override readonly name = 'KeychainUnavailableError';
  readonly code = 'KEYCHAIN_UNAVAILABLE';
}

export class DeviceKeyMissingError extends Error {
  override readonly name = 'DeviceKeyMissingError';
  readonly code = 'DEVICE_KEY_MISSING';
}
