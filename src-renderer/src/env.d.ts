import type { KavachBridge } from '../../src-shared/contract';

declare global {
  interface Window {
    /** Exposed by the preload in Electron, or by bridge.ts over the preview socket. */
    readonly kavach: KavachBridge;
  }
}
