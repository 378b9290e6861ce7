import type { FastifyInstance } from 'fastify';
import { callerOf, skuTarget } from '../../lib/audit/audit-entry.ts';
import type { AuditTrail } from '../../lib/audit/audit-trail.ts';
import type { UnitOfWorkRunner } from '../../lib/db/unit-of-work.ts';
import { errorResponse, sendNotFound } from '../../lib/http/service-app.ts';
import { type CatalogPrice, lockPrice, setPrice } from './catalog-store.ts';

type PriceChange = { kind: 'changed'; price: CatalogPrice } | { kind: 'unknown_sku' };

/**
 * A SKU in a path: what the catalog's SKUs are made of, as the orchestrator's order body requires
 * (a NUL byte or other text the database cannot take is a 400 naming the parameter, not a 500).
 */
export const skuParams = {
  type: 'object',
  additionalProperties: false,
  required: ['sku'],
  properties: { sku: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' } },
} as const;

const priceBody = {
  type: 'object',
  additionalProperties: false,
  required: ['unitPrice', 'currency'],
  properties: {
    unitPrice: { type: 'integer', minimum: 0, maximum: 100_000_000, description: 'Minor units (cents)' },
    currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. EUR' },
  },
} as const;

const priceView = {
  type: 'object',
  required: ['sku', 'unitPrice', 'currency'],
  properties: { sku: { type: 'string' }, unitPrice: { type: 'integer' }, currency: { type: 'string' } },
} as const;

/**
 * `PUT /stock/:sku/price` (operators): sets a SKU's catalog price. The change and its audit record
 * (`price_changed`, target `sku:<sku>`, detail: old and new price) commit in one transaction; an
 * unknown SKU is a 404, audited as `not_found`.
 */
export function registerPriceRoute(
  app: FastifyInstance,
  { units, audit }: { units: UnitOfWorkRunner; audit: AuditTrail },
): void {
  app.put<{ Params: { sku: string }; Body: CatalogPrice }>(
    '/stock/:sku/price',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['inventory'],
        summary: "Operator action: set a SKU's catalog price (audited)",
        params: skuParams,
        body: priceBody,
        response: { 200: priceView, 400: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const { sku } = request.params;
      const price: CatalogPrice = { unitPrice: request.body.unitPrice, currency: request.body.currency };
      const entry = { ...callerOf(request), action: 'price_changed', target: skuTarget(sku) };
      const change = await units.run(async (unit): Promise<PriceChange> => {
        const old = await lockPrice(unit, sku);
        if (old === null) {
          await audit.add(unit, {
            ...entry,
            outcome: 'not_found',
            detail: { new: price },
          });
          return { kind: 'unknown_sku' };
        }
        setPrice(unit, sku, price);
        await audit.add(unit, {
          ...entry,
          outcome: 'applied',
          detail: { old, new: price },
        });
        return { kind: 'changed', price };
      });
      switch (change.kind) {
        case 'changed':
          return { sku, ...change.price };
        case 'unknown_sku':
          return sendNotFound(reply, `unknown SKU '${sku}': it is not in the catalog (GET /stock lists it)`);
        default: {
          const unexpected: never = change;
          throw new Error(`unexpected price change ${JSON.stringify(unexpected)}`);
        }
      }
    },
  );
}
