/**
 * Inventory participant: consumes `inventory-commands` (ReserveStock, ReleaseStock), replies on
 * `inventory-events`. HTTP (INVENTORY_PORT, default 3001): GET /stock, GET /stock/:sku,
 * PUT /stock/:sku/price, /faults, GET /audit, /health/*. Operator actions are audited (lib/audit).
 */
// First: it must be in the module cache before anything loads kafkajs (see the module).
import '../../lib/kafka/kafkajs-patches/index.ts';
import { readAuthConfig } from '../../lib/config/auth-config.ts';
import { readCommonConfig } from '../../lib/config/common-config.ts';
import { EnvReader } from '../../lib/config/env.ts';
import { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import { Topics } from '../../lib/kafka/topics.ts';
import { runService } from '../../lib/service/run-service.ts';
import { exitOnStartupFailure, finishConfig } from '../../lib/service/startup.ts';
import { buildApp } from './app.ts';
import { createInventoryHandler } from './inventory-handler.ts';

try {
  const reader = new EnvReader(process.env);
  const config = readCommonConfig(reader);
  const auth = readAuthConfig(reader);
  const port = reader.int('INVENTORY_PORT', 3001, { min: 1, max: 65_535 });
  finishConfig(reader);

  const faults = new FaultSwitch();
  await runService({
    name: 'inventory',
    schema: 'inventory',
    config,
    port,
    consumes: [Topics.inventoryCommands],
    createHandler: (deps) => createInventoryHandler(deps, faults),
    buildApp: (deps) => buildApp({ ...deps, auth }, faults),
    consumerOptions: faults.consumerHooks(),
  });
} catch (error) {
  exitOnStartupFailure('inventory', error);
}
