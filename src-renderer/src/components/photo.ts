import { bytesToBase64, sniffImage } from './blob';

/**
 * Photos are sent small. Main accepts up to 1 MB, but base64 makes that 1.33 MB on the
 * wire and the browser preview's socket takes 1 MiB per message, and a passport-style
 * picture needs no more than this anyway. Large pictures are redrawn as JPEG, which also
 * drops camera metadata such as the GPS position.
 */
export const SEND_AS_IS_BYTES = 600_000;
const MAX_SIDE = 800;
const MAX_INPUT_BYTES = 20_000_000;

export type PhotoResult = { base64: string } | { error: string };

async function reencode(file: Blob): Promise<Uint8Array | null> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
  return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
}

/** A JPEG or PNG file as base64 ready for patients.setPhoto, or why it cannot be used. */
export async function preparePhoto(file: File): Promise<PhotoResult> {
  if (file.size > MAX_INPUT_BYTES) return { error: 'That file is too large for a photo.' };
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (!sniffImage(bytes)) return { error: 'Choose a JPEG or PNG image.' };
  if (bytes.length <= SEND_AS_IS_BYTES) return { base64: bytesToBase64(bytes) };
  try {
    const smaller = await reencode(file);
    if (smaller && smaller.length <= SEND_AS_IS_BYTES) return { base64: bytesToBase64(smaller) };
  } catch {
    return { error: 'This image could not be read. Choose another JPEG or PNG.' };
  }
  return { error: 'The photo is too large even after resizing. Choose a smaller image.' };
}
