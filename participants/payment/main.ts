/**
 * Payment participant: consumes `payment-commands` (ProcessPayment, RefundPayment), replies on
 * `payment-events`. HTTP (PAYMENT_PORT, default 3002): GET /payments/:orderId, /faults,
 * GET /audit, /health/*. Operator actions are audited (lib/audit).
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
import { createPaymentHandler } from './payment-handler.ts';

try {
  const reader = new EnvReader(process.env);
  const config = readCommonConfig(reader);
  const auth = readAuthConfig(reader);
  const port = reader.int('PAYMENT_PORT', 3002, { min: 1, max: 65_535 });
  finishConfig(reader);

  const faults = new FaultSwitch();
  await runService({
    name: 'payment',
    schema: 'payment',
    config,
    port,
    consumes: [Topics.paymentCommands],
    createHandler: (deps) => createPaymentHandler(deps, faults),
    buildApp: (deps) => buildApp({ ...deps, auth }, faults),
    consumerOptions: faults.consumerHooks(),
  });
} catch (error) {
  exitOnStartupFailure('payment', error);
}
