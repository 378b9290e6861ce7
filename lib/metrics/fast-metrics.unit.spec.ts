import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { FastCounter } from './fast-counter.ts';
import { FastHistogram } from './fast-histogram.ts';

const buckets = [0.005, 0.01, 0.1, 1];
// On a bound, between bounds, below the lowest and above the highest.
const observations = [0.005, 0.003, 0.05, 0.1, 0.7, 2.5, 0.0001, 1];

describe('FastHistogram', () => {
  test("its text is prom-client's, byte for byte, with labels and without", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const fastLabelled = new FastHistogram({
      name: 'step_seconds',
      help: 'Steps',
      labelNames: ['command', 'code'],
      buckets,
      registers: [ours],
    });
    const promLabelled = new Histogram({
      name: 'step_seconds',
      help: 'Steps',
      labelNames: ['command', 'code'],
      buckets,
      registers: [theirs],
    });
    const fastPlain = new FastHistogram({
      name: 'publish_seconds',
      help: 'Publish',
      buckets,
      registers: [ours],
    });
    const promPlain = new Histogram({
      name: 'publish_seconds',
      help: 'Publish',
      buckets,
      registers: [theirs],
    });
    // Before any observation: the unlabelled one shows its zeros, the labelled one nothing.
    assert.equal(await ours.metrics(), await theirs.metrics());
    observations.forEach((value, i) => {
      const labels = { command: i % 2 === 0 ? 'ReserveStock' : 'ProcessPayment', code: 200 + (i % 3) };
      fastLabelled.labels(labels).observe(value);
      promLabelled.labels(labels).observe(value);
      fastPlain.observe(value);
      promPlain.observe(value);
    });
    const text = await ours.metrics();
    assert.equal(text, await theirs.metrics());
    assert.match(text, /step_seconds_bucket\{le="0.01",command="ReserveStock",code="200"\} 2\n/);
    // The JSON form (prom-client adds exemplar fields, which these histograms do not have).
    const samples = async (registry: Registry) =>
      (await registry.getMetricsAsJSON()).flatMap((metric) =>
        metric.values.map((v) => ({
          labels: v.labels,
          value: v.value,
          metricName: (v as { metricName?: string }).metricName,
        })),
      );
    assert.deepEqual(await samples(ours), await samples(theirs));
  });

  test('a label combination has one child; wrong label names and non-finite values are refused', () => {
    const histogram = new FastHistogram({
      name: 'x_seconds',
      help: 'x',
      labelNames: ['a'],
      buckets,
      registers: [new Registry()],
    });
    assert.equal(histogram.labels({ a: 'one' }), histogram.labels({ a: 'one' }));
    assert.notEqual(histogram.labels({ a: 'one' }), histogram.labels({ a: 'two' }));
    assert.throws(() => histogram.labels({ b: 'one' }), /labels b are not a/);
    assert.throws(() => histogram.observe(1), /has labels/);
    assert.throws(() => histogram.labels({ a: 'one' }).observe(Number.NaN), /not a finite number/);
    assert.throws(
      () => new FastHistogram({ name: 'y', help: 'y', buckets: [1, 0.5], registers: [] }),
      /ascending/,
    );
  });
});

describe('FastCounter', () => {
  test("its text and JSON are prom-client's, byte for byte", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const options = { name: 'payments_total', help: 'Payments', labelNames: ['kind', 'currency'] };
    const fast = new FastCounter({ ...options, registers: [ours] });
    const prom = new Counter({ ...options, registers: [theirs] });
    assert.equal(await ours.metrics(), await theirs.metrics());
    for (const [kind, currency, amount] of [
      ['charge', 'EUR', 1250],
      ['refund', 'EUR', 1250],
      ['charge', 'USD', 1],
      ['charge', 'EUR', 0],
    ] as const) {
      fast.labels({ kind, currency }).inc(amount);
      prom.labels({ kind, currency }).inc(amount);
    }
    fast.labels({ kind: 'charge', currency: 'EUR' }).inc();
    prom.labels({ kind: 'charge', currency: 'EUR' }).inc();
    const text = await ours.metrics();
    assert.equal(text, await theirs.metrics());
    assert.match(text, /payments_total\{kind="charge",currency="EUR"\} 1251\n/);
    assert.deepEqual(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON());
  });

  test('it only goes up, and a label combination has one child', () => {
    const counter = new FastCounter({ name: 'c_total', help: 'c', labelNames: ['a'], registers: [] });
    assert.equal(counter.labels({ a: 1 }), counter.labels({ a: 1 }));
    assert.throws(() => counter.labels({ a: 1 }).inc(-1), /only goes up/);
    assert.throws(() => counter.labels({ a: 1 }).inc(Number.NaN), /only goes up/);
    assert.throws(() => counter.labels({}), /labels {2}are not a/);
  });
});
