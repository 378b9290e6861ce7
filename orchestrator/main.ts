// First: it must be in the module cache before anything loads kafkajs (see the module).
import '../lib/kafka/kafkajs-patches/index.ts';
import { Topics } from '../lib/kafka/topics.ts';
import { minutesMs } from '../lib/maintenance/retention.ts';
import { createSagaMetrics, type SagaMetrics } from '../lib/metrics/saga-metrics.ts';
import { runService, type ServiceDeps } from '../lib/service/run-service.ts';
import { exitOnStartupFailure } from '../lib/service/startup.ts';
import { loadOrchestratorConfig } from './config.ts';
import { buildOrchestratorApp } from './http/app.ts';
import { admitAll, InFlightAdmission } from './orders/admission.ts';
import { OrderService } from './orders/order-service.ts';
import { startDeadlineSweeper } from './runner/deadline-sweeper.ts';
import { historyPruneTask } from './runner/history-pruner.ts';
import { readSagasInFlight } from './runner/in-flight-counter.ts';
import { createReplyHandler } from './runner/reply-handler.ts';
import { SagaCache } from './runner/saga-cache.ts';
import { SagaRunner } from './runner/saga-runner.ts';

try {
  const config = loadOrchestratorConfig();
  let runner: SagaRunner | undefined;
  let sagaMetrics: SagaMetrics | undefined;
  const sagaMetricsOf = (deps: ServiceDeps): SagaMetrics => {
    sagaMetrics ??= createSagaMetrics(deps.metrics, { readSagasInFlight: () => readSagasInFlight(deps.db) });
    return sagaMetrics;
  };
  const runnerOf = (deps: ServiceDeps): SagaRunner => {
    runner ??= new SagaRunner({
      outbox: deps.outbox,
      cache: new SagaCache(config.sagaCacheSize),
      clock: deps.clock,
      newId: deps.newId,
      random: Math.random,
      retryPolicy: config.retryPolicy,
      deadlinePolicy: config.deadlinePolicy,
      logger: deps.logger,
      metrics: sagaMetricsOf(deps),
    });
    return runner;
  };

  await runService({
    name: 'orchestrator',
    schema: 'orders',
    config: config.common,
    port: config.port,
    consumes: [Topics.inventoryEvents, Topics.paymentEvents, Topics.shippingEvents],
    createHandler: (deps) => createReplyHandler(runnerOf(deps)),
    buildApp: async (deps) => {
      const admission =
        config.maxSagasInFlight === 0
          ? admitAll
          : await InFlightAdmission.start({
              limit: config.maxSagasInFlight,
              readSagasInFlight: () => readSagasInFlight(deps.db),
              logger: deps.logger,
            });
      sagaMetricsOf(deps).countRefusalsOf(() => admission.status().refused);
      const app = await buildOrchestratorApp({
        db: deps.db,
        logger: deps.logger,
        auth: config.auth,
        metricsSources: config.dashboardMetrics,
        orders: new OrderService({
          db: deps.db,
          units: deps.units,
          runner: runnerOf(deps),
          audit: deps.audit,
          newId: deps.newId,
          clock: deps.clock,
          admission,
          tracing: deps.tracing,
        }),
      });
      app.addHook('onClose', async () => admission.stop());
      return app;
    },
    pruneTasks: (deps) => [historyPruneTask(deps.db, minutesMs(config.sagaHistoryRetentionMinutes))],
    startBackground: (deps) =>
      startDeadlineSweeper({
        units: deps.units,
        runner: runnerOf(deps),
        clock: deps.clock,
        logger: deps.logger,
        intervalMs: config.sweepIntervalMs,
        failurePolicy: config.deadlineFailurePolicy,
        tracing: deps.tracing,
      }),
  });
} catch (error) {
  exitOnStartupFailure('orchestrator', error);
}
