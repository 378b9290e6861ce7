/**
 * How fast this machine runs single-threaded JavaScript right now: a fixed workload (an order's
 * JSON, its SHA-1, a small Map, a Buffer copy, as the services do per message), timed before the
 * services start and after they stop. A large change between the two says the CPU itself slowed
 * or sped up during the run, so its points do not compare with each other. It does not predict
 * how fast the system will be (docs/performance.md, "Machine states").
 */
import { createHash } from 'node:crypto';

export interface CpuSpeed {
  /** Thousands of iterations per second: the median of the samples, the slowest and the fastest. */
  kops: number;
  minKops: number;
  maxKops: number;
}

// The workload as it has been since machine speeds were first recorded: change it and the kops/s no
// longer compare with docs/performance.md's.
const order = {
  orderId: '0b8f7a1e-3c2d-4e5f-8a9b-1c2d3e4f5a6b',
  customerId: 'customer-0001',
  currency: 'EUR',
  paymentToken: 'tok_ok',
  items: [
    { sku: 'SKU-001', quantity: 1, unitPriceCents: 1999 },
    { sku: 'SKU-002', quantity: 2, unitPriceCents: 550 },
    { sku: 'SKU-003', quantity: 3, unitPriceCents: 12_000 },
  ],
  shippingAddress: { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' },
};

/** One iteration; its result depends on all of its work, so none of it can be skipped. */
export function cpuSpeedIteration(seed: number): number {
  const text = JSON.stringify({ ...order, seed });
  const parsed = JSON.parse(text) as typeof order & { seed: number };
  const digest = createHash('sha1').update(text).digest();
  const byKey = new Map<string, number>();
  for (const item of parsed.items) byKey.set(item.sku, item.quantity * item.unitPriceCents);
  const copy = Buffer.from(digest);
  return (copy[seed % copy.length] ?? 0) + byKey.size + parsed.seed;
}

/** `samples` back-to-back samples over about `durationMs` (blocking the event loop). */
export function measureCpuSpeed(durationMs = 1000, samples = 5): CpuSpeed {
  const rates = Array.from({ length: samples }, () => {
    const started = performance.now();
    let iterations = 0;
    let sink = 0;
    while (performance.now() - started < durationMs / samples)
      for (let i = 0; i < 100; i++, iterations++) sink += cpuSpeedIteration(iterations);
    if (!Number.isFinite(sink)) throw new Error('cpu speed workload produced no result');
    return iterations / (performance.now() - started);
  }).sort((a, b) => a - b);
  return {
    kops: Math.round(rates[Math.floor(samples / 2)] ?? 0),
    minKops: Math.round(rates[0] ?? 0),
    maxKops: Math.round(rates[samples - 1] ?? 0),
  };
}

/** A change of the median speed beyond this share makes the footer warn. */
export const SPEED_DRIFT_WARNING = 0.2;

/** (end − start) ÷ start of the median speeds, or null without both. */
export const speedDrift = (atStart: CpuSpeed | null, atEnd: CpuSpeed | null): number | null =>
  atStart === null || atEnd === null || atStart.kops <= 0 ? null : (atEnd.kops - atStart.kops) / atStart.kops;
