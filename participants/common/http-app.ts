import { type FastifyInstance, type FastifyReply, fastify } from 'fastify';
import { installStrictValidation } from '../../lib/http/validation.ts';
import type { Logger } from '../../lib/logger.ts';

/**
 * A participant's fastify instance (routes are added by its app.ts; runService adds health routes
 * and listens). Bodies are validated strictly: unknown fields and wrong types are 400s naming the field.
 */
export function createParticipantApp(logger: Logger): FastifyInstance {
  const app = fastify({ loggerInstance: logger.child({ component: 'http' }) }) as unknown as FastifyInstance;
  installStrictValidation(app);
  return app;
}

/** Error body, the same shape as fastify's own (validation) errors. */
export const errorResponse = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' } },
} as const;

export const orderIdParams = {
  type: 'object',
  additionalProperties: false,
  required: ['orderId'],
  properties: { orderId: { type: 'string', format: 'uuid', description: 'Order id (UUID)' } },
} as const;

export const sendNotFound = (reply: FastifyReply, message: string) =>
  reply.code(404).send({ statusCode: 404, error: 'Not Found', message });

export const isoOrNull = (value: Date | null): string | null => (value === null ? null : value.toISOString());
