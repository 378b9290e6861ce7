import type { FastifyInstance } from 'fastify';
import { registerAuditRoute } from '../../lib/audit/audit-route.ts';
import type { AuthConfig } from '../../lib/config/auth-config.ts';
import { type ParticipantCommands, registerFaultRoutes } from '../../lib/faults/fault-routes.ts';
import type { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import { createServiceApp, errorResponse, orderIdParams, sendNotFound } from '../../lib/http/service-app.ts';
import type { ServiceDeps } from '../../lib/service/run-service.ts';

export type ParticipantAppDeps = Pick<ServiceDeps, 'db' | 'logger' | 'audit'> & { auth: AuthConfig };

export interface ParticipantAppOptions {
  name: 'inventory' | 'payment' | 'shipping';
  /** The OpenAPI description: what it does with which commands, and what it shows. */
  description: string;
  /** Its commands, which the fault switch can target. */
  commands: ParticipantCommands;
  /** Registers the participant's own routes, first. */
  routes(app: FastifyInstance): void;
}

/**
 * A participant's HTTP app: its own routes, GET /audit, and — with FAULTS_ENABLED — the fault
 * switch's routes (not listening; runService does that).
 */
export async function buildParticipantApp(
  deps: ParticipantAppDeps,
  faults: FaultSwitch,
  { name, description, commands, routes }: ParticipantAppOptions,
): Promise<FastifyInstance> {
  const app = await createServiceApp(deps.logger, {
    title: `Order saga ${name} participant`,
    description,
    tags: [name, 'faults', 'audit'],
    auth: deps.auth,
  });
  routes(app);
  registerAuditRoute(app, { db: deps.db, schema: deps.audit.schema });
  if (deps.auth.faultsEnabled) registerFaultRoutes(app, faults, { commands, audit: deps.audit });
  return app;
}

/** Answer schema of why a participant refused an order's command: a reason of `reasons` and a message. */
export const failureSchema = (reasons: readonly string[]) =>
  ({
    type: ['object', 'null'],
    properties: { reason: { type: 'string', enum: reasons }, message: { type: 'string' } },
  }) as const;

/**
 * `GET <path>/:orderId`, operators only: the participant's record of one order (`find`) as `view`
 * makes it (answer schema `schema`), or a 404 `no <what> for order <id>`.
 */
export function registerOrderRecordRoute<TRecord>(
  app: FastifyInstance,
  route: {
    path: string;
    tag: string;
    summary: string;
    what: string;
    schema: object;
    find(orderId: string): Promise<TRecord | null>;
    view(record: TRecord): unknown;
  },
): void {
  app.get<{ Params: { orderId: string } }>(
    `${route.path}/:orderId`,
    {
      config: { access: ['operator'] },
      schema: {
        tags: [route.tag],
        summary: route.summary,
        params: orderIdParams,
        response: { 200: route.schema, 400: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const orderId = request.params.orderId.toLowerCase();
      const record = await route.find(orderId);
      if (record === null) return sendNotFound(reply, `no ${route.what} for order ${orderId}`);
      return route.view(record);
    },
  );
}
