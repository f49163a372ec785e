import { createRequire } from 'node:module';
import { KeychainUnavailableError, type SecretStore } from './secret-store.js';

interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

const SERVICE = 'Kavach';

function loadKeytar(): Keytar {
  try {
    // keytar is CommonJS with a native addon; createRequire keeps it out of ESM interop.
    return createRequire(import.meta.url)('keytar') as Keytar;
  } catch (e) {
    throw new KeychainUnavailableError(
      `The keychain module (keytar) could not be loaded: ${(e as Error).message.split('\n')[0]}`,
    );
  }
}

function unavailable(e: unknown): KeychainUnavailableError {
  const detail = e instanceof Error ? e.message.split('\n')[0] : String(e);
  return new KeychainUnavailableError(
    `The operating system keychain is not available (${detail}). Kavach keeps its device key only there, so it cannot open the encrypted store until the keychain is running and unlocked.`,
  );
}

/** The production SecretStore: the OS keychain (libsecret / GNOME Keyring on Linux) via keytar. */
export function createKeytarStore(service = SERVICE): SecretStore {
  const keytar = loadKeytar();
  return {
    name: 'OS keychain (keytar)',
    async get(account) {
      try {
        return await keytar.getPassword(service, account);
      } catch (e) {
        throw unavailable(e);
      }
    },
    async set(account, secret) {
      try {
        await keytar.setPassword(service, account, secret);
      } catch (e) {
        throw unavailable(e);
      }
    },
    async delete(account) {
      try {
        return await keytar.deletePassword(service, account);
      } catch (e) {
        throw unavailable(e);
      }
    },
  };
}
