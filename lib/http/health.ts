import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

export type HealthCheck = () => boolean | Promise<boolean>;

/**
 * `/health/live`: the process answers. `/health/ready`: every dependency check passes (database,
 * Kafka consumer group membership, outbox relay); 503 with the failing checks named otherwise.
 */
export function registerHealthRoutes(app: FastifyInstance, checks: Record<string, HealthCheck>): void {
  app.get('/health/live', { config: { access: 'public' }, schema: { hide: true } }, async () => ({
    status: 'live',
  }));
  app.get(
    '/health/ready',
    { config: { access: 'public' }, schema: { hide: true } },
    async (_request, reply) => {
      const results = Object.fromEntries(
        await Promise.all(
          Object.entries(checks).map(async ([name, check]) => {
            try {
              return [name, await check()] as const;
            } catch {
              return [name, false] as const;
            }
          }),
        ),
      );
      const ready = Object.values(results).every(Boolean);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: results });
    },
  );
}
