import type { AttachmentInfo } from '../../../../src-shared/clinical/chart';
import { call, summaryOf } from '../../api';
import { base64ToBlob } from '../../components/blob';

/** Every piece of an attachment, in order, as one Blob. */
export async function readAttachment(
  id: string,
): Promise<{ blob: Blob; info: AttachmentInfo } | { error: string }> {
  const parts: Blob[] = [];
  let info: AttachmentInfo | null = null;
  for (let index = 0; index <= 25; index++) {
    const result = await call('attachments.read', { id, index });
    if (!result.ok) return { error: summaryOf(result.error) };
    info = result.value.info;
    parts.push(base64ToBlob(result.value.base64, result.value.info.mime));
    if (!result.value.more) return { blob: new Blob(parts, { type: info.mime }), info };
  }
  return { error: 'The attachment has more pieces than expected.' };
}
