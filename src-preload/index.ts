import { contextBridge, ipcRenderer } from 'electron';
import { CHANNEL_NAMES } from '../src-shared/channels.js';
import type { KavachBridge } from '../src-shared/contract.js';

/**
 * The renderer's only door to main: one method per contract channel, each a single invoke.
 * The closures keep ipcRenderer and the IPC event objects on this side of the isolation
 * boundary, so a hijacked page can call channels but never listen, send or reach Node.
 */
const bridge = Object.fromEntries(
  CHANNEL_NAMES.map((channel) => [channel, (payload: unknown) => ipcRenderer.invoke(channel, payload)]),
) as unknown as KavachBridge;

contextBridge.exposeInMainWorld('kavach', bridge);
