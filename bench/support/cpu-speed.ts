/**
 * How fast this machine runs single-threaded JavaScript right now, as one number: a fixed workload
 * (JSON of an order, a SHA-1 of it, a small Map, a Buffer copy, as the services do per message)
 * timed for a moment, before the services start and after they stop. A large change between the
 * two says the CPU itself slowed or sped up during the run, so its points do not compare.
 *
 * It does not say how fast the whole system will be: the same machine has run the whole bench up to
 * three times faster or slower from one hour to the next, and on 2026-12-03 this speed was at its
 * highest while the system's latencies were the longest of the three states met that day
 * (bench/README.md, "Session of 2026-12-03 (third)").
 */
import { createHash } from 'node:crypto';

export interface CpuSpeed {
  /** Thousands of workload iterations per second (higher is faster): the median of the samples. */
  kops: number;
  /** The slowest and the fastest sample: how much the speed moved while it was measured. */
  minKops: number;
  maxKops: number;
  /** Milliseconds it was measured for, in all. */
  ms: number;
}

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

/** One iteration; returns a number that depends on all of its work, so none of it can be skipped. */
export function cpuSpeedIteration(seed: number): number {
  const text = JSON.stringify({ ...order, seed });
  const parsed = JSON.parse(text) as typeof order & { seed: number };
  const digest = createHash('sha1').update(text).digest();
  const byKey = new Map<string, number>();
  for (const item of parsed.items) byKey.set(item.sku, item.quantity * item.unitPriceCents);
  const copy = Buffer.from(digest);
  return (copy[seed % copy.length] ?? 0) + byKey.size + parsed.seed;
}

/** Runs the workload for about `sampleMs` (blocking the event loop) and returns its rate in kops/s. */
function sampleKops(sampleMs: number): { kops: number; ms: number } {
  let iterations = 0;
  let sink = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 100; i++) sink += cpuSpeedIteration(iterations + i);
    iterations += 100;
    elapsed = performance.now() - started;
  } while (elapsed < sampleMs);
  if (!Number.isFinite(sink)) throw new Error('cpu speed workload produced no result');
  return { kops: iterations / elapsed, ms: elapsed };
}

/**
 * The workload in `samples` back-to-back samples over about `durationMs`: their median, slowest and
 * fastest (this VM's speed has been seen to move by a third from one second to the next at rest).
 */
export function measureCpuSpeed(durationMs = 1000, samples = 5): CpuSpeed {
  const taken = Array.from({ length: samples }, () => sampleKops(durationMs / samples));
  const sorted = taken.map((s) => s.kops).sort((a, b) => a - b);
  return {
    kops: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
    minKops: Math.round(sorted[0] ?? 0),
    maxKops: Math.round(sorted[sorted.length - 1] ?? 0),
    ms: Math.round(taken.reduce((sum, s) => sum + s.ms, 0)),
  };
}

/** How much the machine's speed moved between two measurements beyond which a run's points are not comparable. */
export const SPEED_DRIFT_WARNING = 0.2;

/** (end − start) ÷ start of the median speeds, or null when either is missing. */
export function speedDrift(atStart: CpuSpeed | null, atEnd: CpuSpeed | null): number | null {
  if (atStart === null || atEnd === null || atStart.kops <= 0) return null;
  return (atEnd.kops - atStart.kops) / atStart.kops;
}
