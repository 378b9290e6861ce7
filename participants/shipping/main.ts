/**
 * Shipping participant: consumes `shipping-commands` (ScheduleShipping, CancelShipping), replies on
 * `shipping-events`, and publishes its carrier events there (ShipmentPickedUp, ShipmentDelivered).
 * HTTP (SHIPPING_PORT, default 3003): GET /shipments/:orderId, POST /shipments/:shipmentId/events
 * (the carrier), /faults, GET /audit, /health/*. Operator actions are audited (lib/audit).
 * UNSERVED_COUNTRIES (comma-separated ISO 3166-1 alpha-2 codes, default AQ): destinations no carrier serves.
 * SIMULATED_CARRIER (default false): picks up and delivers scheduled shipments by itself after
 * CARRIER_PICKUP_AFTER_MS and CARRIER_DELIVER_AFTER_MS (default 30000 each), looking every
 * CARRIER_POLL_MS (default 1000); see simulated-carrier.ts.
 */
// First: it must be in the module cache before anything loads kafkajs (see the module).
import '../../lib/kafka/kafkajs-patches/index.ts';
import { Topics } from '../../lib/kafka/topics.ts';
import { runParticipant } from '../common/run-participant.ts';
import { buildApp } from './app.ts';
import { defaultUnservedCountries } from './shipping-decisions.ts';
import { createShippingHandler } from './shipping-handler.ts';
import { defaultSimulatedCarrier, startSimulatedCarrier } from './simulated-carrier.ts';

await runParticipant('shipping', (reader) => {
  const port = reader.int('SHIPPING_PORT', 3003, { min: 1, max: 65_535 });
  const unservedCountries = reader
    .list('UNSERVED_COUNTRIES', defaultUnservedCountries)
    .map((c) => c.toUpperCase());
  const badCountries = unservedCountries.filter((c) => !/^[A-Z]{2}$/.test(c));
  const day = 86_400_000;
  const simulatedCarrier = reader.boolean('SIMULATED_CARRIER', false);
  const carrier = {
    ...defaultSimulatedCarrier,
    pickUpAfterMs: reader.int('CARRIER_PICKUP_AFTER_MS', defaultSimulatedCarrier.pickUpAfterMs, { max: day }),
    deliverAfterMs: reader.int('CARRIER_DELIVER_AFTER_MS', defaultSimulatedCarrier.deliverAfterMs, {
      max: day,
    }),
    pollMs: reader.int('CARRIER_POLL_MS', defaultSimulatedCarrier.pollMs, { min: 10, max: 60_000 }),
  };
  return {
    port,
    consumes: Topics.shippingCommands,
    createHandler: (deps, faults) => createShippingHandler(deps, faults, { unservedCountries }),
    buildApp,
    ...(simulatedCarrier ? { startBackground: (deps) => startSimulatedCarrier(deps, carrier) } : {}),
    configProblems:
      badCountries.length === 0
        ? []
        : [
            `UNSERVED_COUNTRIES: ${badCountries.map((c) => JSON.stringify(c)).join(', ')} not ISO 3166-1 alpha-2 codes`,
          ],
  };
});
