import { ATTACHMENT_PIECE_BYTES } from '../../src-shared/clinical/chart.js';
import { AttachmentError } from '../crypto/attachment-stream.js';
import { Failure } from '../ipc/failure.js';
import type { Handlers } from '../ipc/handler-types.js';
import { requirePatient } from '../patients/records.js';
import { AttachmentProblem } from './store.js';

function refusal(e: unknown): never {
  if (e instanceof AttachmentProblem) {
    const code =
      e.kind === 'no-upload'
        ? 'NOT_FOUND'
        : e.kind === 'type-not-allowed' || e.kind === 'incomplete' || e.kind === 'too-much'
          ? 'VALIDATION'
          : 'CONFLICT';
    throw new Failure(
      code,
      e.message,
      e.kind === 'type-not-allowed' ? { file: 'PDF, PNG or JPEG only' } : undefined,
    );
  }
  throw e;
}

export const attachmentHandlers: Pick<
  Handlers,
  'attachments.begin' | 'attachments.upload' | 'attachments.finish' | 'attachments.read'
> = {
  'attachments.begin': (ctx, input) => {
    const s = ctx.services;
    const p = requirePatient(s, input.patientId);
    if (input.visitId) {
      const v = s.visits.byId(input.visitId);
      if (!v || v.patientId !== p.id)
        throw new Failure('NOT_FOUND', 'That visit does not belong to this patient.');
    }
    try {
      return {
        uploadId: s.attachments.begin(ctx.session.userId!, p.id, input.visitId, input.name, input.bytes),
      };
    } catch (e) {
      refusal(e);
    }
  },

  'attachments.upload': (ctx, input) => {
    const bytes = Buffer.from(input.base64, 'base64');
    try {
      return {
        received: ctx.services.attachments.piece(ctx.session.userId!, input.uploadId, input.index, bytes),
      };
    } catch (e) {
      refusal(e);
    }
  },

  'attachments.finish': (ctx, input) => {
    try {
      const info = ctx.services.attachments.finish(ctx.session.userId!, input.uploadId);
      ctx.subject('attachment', info.id, { patient: info.patientId, mime: info.mime, bytes: info.bytes });
      return info;
    } catch (e) {
      refusal(e);
    }
  },

  // async: not run inside the router's transaction, so the security event recorded for a
  // damaged file is kept although the call fails.
  'attachments.read': async (ctx, input) => {
    const s = ctx.services;
    const info = s.attachments.byId(input.id);
    if (!info) throw new Failure('NOT_FOUND', 'No attachment with that id.');
    let bytes: Uint8Array;
    try {
      bytes = s.attachments.plaintext(info.id);
    } catch (e) {
      if (e instanceof AttachmentError || (e instanceof AttachmentProblem && e.kind === 'swapped')) {
        s.security.record({
          kind: 'decryption-failed',
          detail: {
            table: 'attachments',
            rowId: info.id,
            reason: e instanceof AttachmentError ? e.reason : 'swapped',
          },
        });
        throw new Failure(
          'CONFLICT',
          'This attachment’s file has been altered or damaged and cannot be opened. Nothing of it is shown.',
        );
      }
      if (e instanceof Error && (e as Error & { code?: string }).code === 'ENOENT') {
        throw new Failure('NOT_FOUND', 'This attachment’s file is missing from this workstation.');
      }
      throw e;
    }
    const start = input.index * ATTACHMENT_PIECE_BYTES;
    if (start >= bytes.length && !(bytes.length === 0 && input.index === 0)) {
      throw new Failure('VALIDATION', 'There is no piece with that number.', {
        index: 'Past the end of the file',
      });
    }
    const more = start + ATTACHMENT_PIECE_BYTES < bytes.length;
    const base64 = Buffer.from(bytes.subarray(start, start + ATTACHMENT_PIECE_BYTES)).toString('base64');
    if (!more) s.attachments.close(info.id);
    if (input.index === 0) ctx.subject('attachment', info.id, { patient: info.patientId, opened: true });
    return { info, index: input.index, more, base64 };
  },
};
