import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import { enumSymbols } from '../contracts/generated.ts';
import { errorResponse } from '../http/service-app.ts';
import { readAudit } from './audit-reads.ts';

export const defaultAuditLimit = 50;
export const maxAuditLimit = 200;

const auditRecord = {
  type: 'object',
  required: ['auditId', 'actor', 'role', 'action', 'target', 'outcome', 'detail', 'at'],
  properties: {
    auditId: { type: 'string', format: 'uuid' },
    actor: { type: 'string', description: 'Who acted: the token subject' },
    role: { type: 'string', description: 'The role acted in (operator), or none' },
    action: { type: 'string', description: 'retry, fault_set, fault_cleared, price_changed' },
    target: { type: 'string', description: 'order:<id>, faults:<service>, sku:<sku>' },
    outcome: { type: 'string', enum: enumSymbols.AuditOutcome },
    detail: { type: 'object', additionalProperties: true },
    at: { type: 'string', format: 'date-time' },
  },
} as const;

/** `GET /audit?target=&limit=` (operators): this service's audit records, newest first. */
export function registerAuditRoute(app: FastifyInstance, { db, schema }: { db: Knex; schema: string }): void {
  app.get<{ Querystring: { target?: string; limit: number } }>(
    '/audit',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['audit'],
        summary: 'Operator actions taken on this service and their outcome, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            target: {
              type: 'string',
              minLength: 1,
              maxLength: 300,
              description: 'Only the records of this target, e.g. order:<id>, faults:payment, sku:SKU-001',
            },
            limit: { type: 'integer', minimum: 1, maximum: maxAuditLimit, default: defaultAuditLimit },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['items'],
            properties: { items: { type: 'array', items: auditRecord } },
          },
          400: errorResponse,
        },
      },
    },
    async (request) => ({ items: await readAudit(db, schema, request.query) }),
  );
}
