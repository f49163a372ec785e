import type { FastifyError, FastifyInstance } from 'fastify';
import type { ZodError } from 'zod';
import type { ApiError } from '../src-shared/sync-wire';

export type ApiErrorCode = ApiError['error']['code'];

const STATUS: Record<ApiErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  GONE: 410,
  TOO_MANY: 429,
  TOO_LARGE: 413,
  INTERNAL: 500,
};

/** An error meant for the client: its message is safe to show and names no secret. */
export class HttpError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

export function badRequest(error: ZodError): HttpError {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return new HttpError('BAD_REQUEST', `${where}${issue?.message ?? 'Invalid request'}`);
}

function body(code: ApiErrorCode, message: string): ApiError {
  return { error: { code, message } };
}

const CLIENT_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Send the body as application/json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON',
};

/**
 * Every failure leaves as ApiError JSON. Fastify's own errors (body too large, bad JSON,
 * wrong content type) are mapped by status; anything unexpected is logged here with its
 * stack and reaches the client only as INTERNAL.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    if (err instanceof HttpError) {
      return reply.status(err.status).send(body(err.code, err.message));
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status === 413) {
      return reply.status(413).send(body('TOO_LARGE', 'The request body is larger than the server accepts'));
    }
    if (status === 429)
      return reply.status(429).send(body('TOO_MANY', 'Too many requests; try again shortly'));
    if (status >= 400 && status < 500) {
      const message = CLIENT_MESSAGES[err.code] ?? 'The request could not be read';
      return reply.status(400).send(body('BAD_REQUEST', message));
    }
    request.log.error({ err }, 'request failed');
    return reply.status(500).send(body('INTERNAL', 'The server failed to handle this request; see its log'));
  });
  app.setNotFoundHandler((_request, reply) => {
    reply.status(404).send(body('NOT_FOUND', 'No such route'));
  });
}
