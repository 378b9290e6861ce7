/**
 * How fast this machine runs the bench's kind of work right now, as one number: a fixed,
 * single-threaded JavaScript workload (JSON of an order, a SHA-1 of it, a small Map, a Buffer copy,
 * as the services do per message) timed for a moment. The same machine has run the whole bench up
 * to three times faster or slower from one hour to the next (bench/README.md); runs are comparable
 * only at a similar speed, so the bench measures it before the services start and after they stop.
 */
import { createHash } from 'node:crypto';

export interface CpuSpeed {
  /** Thousands of workload iterations per second (higher is faster). */
  kops: number;
  /** Milliseconds it was measured for. */
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

/** Runs the workload for about `durationMs` (blocking the event loop) and returns its rate. */
export function measureCpuSpeed(durationMs = 1000): CpuSpeed {
  let iterations = 0;
  let sink = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 100; i++) sink += cpuSpeedIteration(iterations + i);
    iterations += 100;
    elapsed = performance.now() - started;
  } while (elapsed < durationMs);
  if (!Number.isFinite(sink)) throw new Error('cpu speed workload produced no result');
  return { kops: Math.round(iterations / elapsed), ms: Math.round(elapsed) };
}
