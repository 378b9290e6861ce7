import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  fastify,
  LogController,
} from 'fastify';
import type { AuthConfig } from '../config/auth-config.ts';
import type { Logger } from '../logger.ts';
import { installAuth } from './auth.ts';
import { installErrorHandler, requestIdOptions } from './errors.ts';
import { installStrictValidation } from './validation.ts';

export interface ServiceAppOptions {
  /** OpenAPI title, e.g. `Order saga inventory participant`. */
  title: string;
  description: string;
  /** OpenAPI tags of its routes. */
  tags: readonly string[];
  /** Token verification, fault routes and rate limit (lib/config/auth-config.ts). */
  auth: AuthConfig;
}

/**
 * Every service's fastify instance: the trust boundary (lib/http/auth.ts: every route states its
 * `config.access`; bearer tokens, roles, rate limit, security headers), strict body validation (unknown
 * fields and wrong types are 400s naming the field), the shared error handler, UUID request ids, and
 * an OpenAPI document built from the route schemas (`/openapi.json`, UI at `/docs`). Each service's app.ts adds
 * its routes; runService adds the health routes and listens.
 */
export async function createServiceApp(logger: Logger, options: ServiceAppOptions): Promise<FastifyInstance> {
  const app = fastify({
    loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Health probes and stock polls would flood the log; errors are still logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    ...requestIdOptions,
  });
  installStrictValidation(app);
  installErrorHandler(app);
  await installAuth(app, options.auth);
  await app.register(swagger, {
    openapi: {
      info: {
        title: options.title,
        version: '0.1.0',
        description: options.description,
      },
      tags: options.tags.map((name) => ({ name })),
      // Every documented route needs a bearer token (lib/http/auth.ts): /docs gets an Authorize button.
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  return app;
}

/** Error body, the same shape as fastify's own (validation) errors and the orchestrator's. */
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
