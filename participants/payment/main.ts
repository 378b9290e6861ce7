/**
 * Payment participant: consumes `payment-commands` (ProcessPayment, RefundPayment), replies on
 * `payment-events`. HTTP (PAYMENT_PORT, default 3002): GET /payments/:orderId, /faults,
 * GET /audit, /health/*. Operator actions are audited (lib/audit).
 */
// First: it must be in the module cache before anything loads kafkajs (see the module).
import '../../lib/kafka/kafkajs-patches/index.ts';
import { Topics } from '../../lib/kafka/topics.ts';
import { runParticipant } from '../common/run-participant.ts';
import { buildApp } from './app.ts';
import { createPaymentHandler } from './payment-handler.ts';

await runParticipant('payment', (reader) => ({
  port: reader.int('PAYMENT_PORT', 3002, { min: 1, max: 65_535 }),
  consumes: Topics.paymentCommands,
  createHandler: createPaymentHandler,
  buildApp,
}));
