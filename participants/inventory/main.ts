/**
 * Inventory participant: consumes `inventory-commands` (ReserveStock, ReleaseStock), replies on
 * `inventory-events`. HTTP (INVENTORY_PORT, default 3001): GET /stock, GET /stock/:sku,
 * PUT /stock/:sku/price, /faults, GET /audit, /health/*, GET /metrics. Operator actions are audited (lib/audit).
 */
// First: it must be in the module cache before anything loads kafkajs (see the module).
import '../../lib/kafka/kafkajs-patches/index.ts';
import { Topics } from '../../lib/kafka/topics.ts';
import { registerStockGauge } from '../../lib/metrics/participant-metrics.ts';
import { runParticipant } from '../common/run-participant.ts';
import { buildApp } from './app.ts';
import { createInventoryHandler } from './inventory-handler.ts';
import { listStock } from './inventory-store.ts';

await runParticipant('inventory', (reader) => ({
  port: reader.int('INVENTORY_PORT', 3001, { min: 1, max: 65_535 }),
  consumes: Topics.inventoryCommands,
  createHandler: createInventoryHandler,
  buildApp,
  registerMetrics: (deps) => registerStockGauge(deps.metrics, () => listStock(deps.db)),
}));
