/** Binary helpers for files that travel over IPC as base64 (photos, printable PDFs). */

export function base64ToBlob(base64: string, mime: string): Blob {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type: mime });
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // In chunks: spreading a megabyte into one String.fromCharCode call overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export type ImageKind = 'image/jpeg' | 'image/png';

/** What the file's first bytes say it is; main checks again, this only gives a quick answer. */
export function sniffImage(bytes: Uint8Array): ImageKind | null {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return png.every((b, i) => bytes[i] === b) ? 'image/png' : null;
}
