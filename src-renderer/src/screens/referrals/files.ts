import { bytesToBase64 } from '../../components/blob';

/** A chosen file's bytes as base64 (referral packages) or as text (clinic cards). */
export async function fileAsBase64(file: File): Promise<string> {
  return bytesToBase64(new Uint8Array(await file.arrayBuffer()));
}

export async function fileAsText(file: File): Promise<string> {
  return file.text();
}

/** Fingerprint words in two groups of four, as an admin reads them out. */
export function wordsText(words: readonly string[]): string {
  return `${words.slice(0, 4).join(' ')} · ${words.slice(4).join(' ')}`;
}
