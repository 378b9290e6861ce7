import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { isUuid } from '../ids.ts';

/** Request ids are UUIDs (a caller's `x-request-id` is kept when it is one): they become correlation ids. */
export const requestIdOptions: Pick<FastifyServerOptions, 'genReqId' | 'requestIdHeader'> = {
  requestIdHeader: false,
  genReqId: (request) => {
    const given = request.headers['x-request-id'];
    return typeof given === 'string' && isUuid(given) ? given : randomUUID();
  },
};

/**
 * The message of a 4xx answer: the error's own when it says something, else (an empty message or
 * only the status phrase, as static file serving gives) the status phrase with the method and path
 * it concerns, e.g. `Forbidden: GET /docs/static/%00`.
 */
export function clientErrorMessage(error: unknown, status: number, method: string, url: string): string {
  const phrase = STATUS_CODES[status] ?? 'Error';
  const own = error instanceof Error ? error.message.trim() : '';
  if (own !== '' && own.toLowerCase() !== phrase.toLowerCase()) return own;
  const path = url.split('?', 1)[0] ?? url;
  return `${phrase}: ${method} ${path.length > 200 ? `${path.slice(0, 200)}…` : path}`;
}

/**
 * 4xx errors keep their precise message (one that says nothing more than the status names the
 * request's method and path instead); 5xx answers say nothing about internals (no SQL, no stack)
 * and are logged with the request id, which the answer names so an operator can find the log line.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status < 500) {
      return reply.code(status).send({
        statusCode: status,
        error: STATUS_CODES[status] ?? 'Error',
        message: clientErrorMessage(error, status, request.method, request.url),
      });
    }
    request.log.error({ err: error, requestId: request.id, url: request.url }, 'request failed');
    return reply.code(status).send({
      statusCode: status,
      error: 'Internal Server Error',
      message: `the request could not be completed (request id ${request.id}); the service log has the details`,
    });
  });
}
