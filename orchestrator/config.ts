import { type AuthConfig, readAuthConfig } from '../lib/config/auth-config.ts';
import { type CommonConfig, readCommonConfig } from '../lib/config/common-config.ts';
import { type Env, EnvReader } from '../lib/config/env.ts';
import { localMetricsSources, type MetricsSource, parseMetricsSources } from './dashboard/metrics-scrape.ts';
import { type DeadlineFailurePolicy, defaultDeadlineFailurePolicy } from './runner/deadline-failures.ts';
import { DEFAULT_SAGA_CACHE_SIZE } from './runner/saga-cache.ts';
import type { RetryPolicy } from './saga/saga-types.ts';
import type { DeadlinePolicy } from './saga/step-decision.ts';

export interface OrchestratorConfig {
  common: CommonConfig;
  auth: AuthConfig;
  port: number;
  retryPolicy: RetryPolicy;
  deadlinePolicy: DeadlinePolicy;
  sweepIntervalMs: number;
  /** A saga whose deadline keeps failing backs off, then is parked as FAILED (runner/deadline-failures.ts). */
  deadlineFailurePolicy: DeadlineFailurePolicy;
  /** POST /orders answers 429 from this many sagas in flight on; 0 = no limit. */
  maxSagasInFlight: number;
  /** Sagas in flight kept in memory so that replies to them need no read (runner/saga-cache.ts); 0 = none. */
  sagaCacheSize: number;
  /** The services whose GET /metrics the dashboard shows (DASHBOARD_METRICS_URLS, `name=url,…`). */
  dashboardMetrics: MetricsSource[];
}

/** The local stack's ports (scripts/support/service-processes.ts sets the variable from its own table). */
const localServicePorts = { orchestrator: 3000, inventory: 3001, payment: 3002, shipping: 3003 };

function readDashboardMetrics(reader: EnvReader, ownPort: number): MetricsSource[] {
  const fallback = localMetricsSources({ ...localServicePorts, orchestrator: ownPort });
  const entries = reader.list('DASHBOARD_METRICS_URLS', []);
  if (entries.length === 0) return fallback;
  const sources = parseMetricsSources(entries);
  if (typeof sources === 'string') {
    reader.problem(`DASHBOARD_METRICS_URLS: ${sources}`);
    return fallback;
  }
  return sources;
}

/**
 * Parsed once at start-up; every variable has a default that matches the local stack, except the
 * token verification (AUTH_JWT_SECRET or AUTH_JWKS_URL), which `npm start` and the tests provide.
 */
export function loadOrchestratorConfig(env: Env = process.env): OrchestratorConfig {
  const reader = new EnvReader(env);
  const port = reader.int('ORCHESTRATOR_PORT', 3000, { min: 0, max: 65_535 });
  const config: OrchestratorConfig = {
    common: readCommonConfig(reader),
    auth: readAuthConfig(reader),
    port,
    retryPolicy: {
      forwardAttempts: reader.int('SAGA_FORWARD_ATTEMPTS', 3, { min: 1, max: 100 }),
      compensationAttempts: reader.int('SAGA_COMPENSATION_ATTEMPTS', 5, { min: 1, max: 1_000 }),
    },
    deadlinePolicy: {
      stepTimeoutMs: reader.int('SAGA_STEP_TIMEOUT_MS', 3_000, { min: 10, max: 3_600_000 }),
      backoffMultiplier: reader.int('SAGA_BACKOFF_MULTIPLIER', 2, { min: 1, max: 10 }),
      maxStepTimeoutMs: reader.int('SAGA_MAX_STEP_TIMEOUT_MS', 60_000, { min: 10, max: 86_400_000 }),
      jitterPercent: reader.int('SAGA_JITTER_PERCENT', 20, { min: 0, max: 100 }),
    },
    sweepIntervalMs: reader.int('SAGA_SWEEP_INTERVAL_MS', 200, { min: 10, max: 60_000 }),
    deadlineFailurePolicy: {
      maxFailures: reader.int('SAGA_DEADLINE_MAX_FAILURES', defaultDeadlineFailurePolicy.maxFailures, {
        min: 1,
        max: 1_000,
      }),
      backoffMs: reader.int('SAGA_DEADLINE_FAILURE_BACKOFF_MS', defaultDeadlineFailurePolicy.backoffMs, {
        min: 10,
        max: 3_600_000,
      }),
      maxBackoffMs: defaultDeadlineFailurePolicy.maxBackoffMs,
    },
    maxSagasInFlight: reader.int('MAX_SAGAS_IN_FLIGHT', 2_000, { min: 0, max: 100_000_000 }),
    sagaCacheSize: reader.int('SAGA_CACHE_SIZE', DEFAULT_SAGA_CACHE_SIZE, { min: 0, max: 10_000_000 }),
    dashboardMetrics: readDashboardMetrics(reader, port),
  };
  reader.done();
  return config;
}
