import type { FastifyInstance } from 'fastify';
import type { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import { errorResponse, sendNotFound } from '../../lib/http/service-app.ts';
import type { ServiceDeps } from '../../lib/service/run-service.ts';
import { buildParticipantApp, type ParticipantAppDeps } from '../common/participant-app.ts';
import { inventoryCommands } from './inventory-decisions.ts';
import { findStock, listStock, type StockLevel } from './inventory-store.ts';
import { registerPriceRoute, skuParams } from './price-route.ts';

export type InventoryAppDeps = ParticipantAppDeps & Pick<ServiceDeps, 'units'>;

const stockLevel = {
  type: 'object',
  required: ['sku', 'name', 'available', 'seeded', 'unitPrice', 'currency', 'updatedAt'],
  properties: {
    sku: { type: 'string' },
    name: { type: 'string' },
    available: { type: 'integer', description: 'Units that can be reserved now' },
    seeded: { type: 'integer', description: 'Units the catalog was seeded with' },
    unitPrice: {
      type: 'integer',
      description: 'Catalog price of one unit, minor units (cents); orders are charged it',
    },
    currency: { type: 'string', description: 'ISO 4217 code of unitPrice, e.g. EUR' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const stockView = (s: StockLevel) => ({ ...s, updatedAt: s.updatedAt.toISOString() });

/** Inventory's HTTP app: live stock levels, catalog prices, the fault switch and the audit trail (not listening; runService does that). */
export const buildApp = (deps: InventoryAppDeps, faults: FaultSwitch): Promise<FastifyInstance> =>
  buildParticipantApp(deps, faults, {
    name: 'inventory',
    description:
      'Reserves and releases stock for orders (commands on inventory-commands, replies on inventory-events); shows live stock levels.',
    commands: inventoryCommands,
    routes: (app) => {
      registerStockRoutes(app, deps);
      registerPriceRoute(app, { units: deps.units, audit: deps.audit });
    },
  });

/** `GET /stock` and `GET /stock/:sku`: the catalog's stock levels and prices. */
function registerStockRoutes(app: FastifyInstance, deps: Pick<ServiceDeps, 'db'>): void {
  app.get(
    '/stock',
    {
      config: { access: ['customer', 'operator'] },
      schema: {
        tags: ['inventory'],
        summary: 'Every SKU of the catalog with its stock level',
        response: {
          200: {
            type: 'object',
            required: ['items'],
            properties: { items: { type: 'array', items: stockLevel } },
          },
        },
      },
    },
    async () => ({ items: (await listStock(deps.db)).map(stockView) }),
  );

  app.get<{ Params: { sku: string } }>(
    '/stock/:sku',
    {
      config: { access: ['customer', 'operator'] },
      schema: {
        tags: ['inventory'],
        summary: 'The stock level of one SKU',
        params: skuParams,
        response: { 200: stockLevel, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const { sku } = request.params;
      const level = await findStock(deps.db, sku);
      if (level === null)
        return sendNotFound(reply, `unknown SKU '${sku}': it is not in the catalog (GET /stock lists it)`);
      return stockView(level);
    },
  );
}
