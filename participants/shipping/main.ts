/**
 * Shipping participant: consumes `shipping-commands` (ScheduleShipping, CancelShipping), replies on
 * `shipping-events`. HTTP (SHIPPING_PORT, default 3003): GET /shipments/:orderId, /faults,
 * GET /audit, /health/*. Operator actions are audited (lib/audit).
 * UNSERVED_COUNTRIES (comma-separated ISO 3166-1 alpha-2 codes, default AQ): destinations no carrier serves.
 */
// First: it must be in the module cache before anything loads kafkajs (see the module).
import '../../lib/kafka/kafkajs-patches/index.ts';
import { Topics } from '../../lib/kafka/topics.ts';
import { runParticipant } from '../common/run-participant.ts';
import { buildApp } from './app.ts';
import { defaultUnservedCountries } from './shipping-decisions.ts';
import { createShippingHandler } from './shipping-handler.ts';

await runParticipant('shipping', (reader) => {
  const port = reader.int('SHIPPING_PORT', 3003, { min: 1, max: 65_535 });
  const unservedCountries = reader
    .list('UNSERVED_COUNTRIES', defaultUnservedCountries)
    .map((c) => c.toUpperCase());
  const badCountries = unservedCountries.filter((c) => !/^[A-Z]{2}$/.test(c));
  return {
    port,
    consumes: Topics.shippingCommands,
    createHandler: (deps, faults) => createShippingHandler(deps, faults, { unservedCountries }),
    buildApp,
    configProblems:
      badCountries.length === 0
        ? []
        : [
            `UNSERVED_COUNTRIES: ${badCountries.map((c) => JSON.stringify(c)).join(', ')} not ISO 3166-1 alpha-2 codes`,
          ],
  };
});
