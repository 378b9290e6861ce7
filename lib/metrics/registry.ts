import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A process's metrics registry: prom-client's default process metrics (CPU, heap, event loop lag,
 * GC…) and whatever the service registers on it. One per process (tests make several), never
 * prom-client's global one.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export type { Registry };
