import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrometheusTextError, parsePrometheusText, samplesOf, sumOf } from './prometheus-text.ts';

const text = `# HELP stock_available Units on hand
# TYPE stock_available gauge
stock_available{sku="SKU-001"} 97
stock_available{sku="SKU-002"} 12

# TYPE kafka_consumer_lag gauge
kafka_consumer_lag{topic="inventory-commands",partition="0"} 3
kafka_consumer_lag{topic="inventory-commands",partition="1"} 4 1700000000000
saga_step_latency_seconds_bucket{command="ReserveStock",le="+Inf"} 10
dead_letters_total{topic="a \\"quoted\\" topic",reason="line\\nbreak\\\\"} 2
sagas_in_flight 1.5e3
process_weird NaN
`;

describe('Prometheus text format', () => {
  const samples = parsePrometheusText(text);

  it('reads every sample with its labels, skipping comments and blank lines', () => {
    assert.equal(samples.length, 8);
    assert.deepEqual(samples[0], { name: 'stock_available', labels: { sku: 'SKU-001' }, value: 97 });
    assert.deepEqual(samples[3], {
      name: 'kafka_consumer_lag',
      labels: { topic: 'inventory-commands', partition: '1' },
      value: 4,
    });
  });

  it('reads +Inf, exponents, NaN and escaped label values', () => {
    assert.equal(samples[4]?.labels.le, '+Inf');
    assert.equal(samples[6]?.value, 1500);
    assert.ok(Number.isNaN(samples[7]?.value));
    assert.deepEqual(samples[5]?.labels, { topic: 'a "quoted" topic', reason: 'line\nbreak\\' });
  });

  it('reads the special values in any case, as prom-client writes them (`Nan`, `-inf`)', () => {
    const [lag, low] = parsePrometheusText('nodejs_eventloop_lag_mean_seconds Nan\nlowest -inf\n');
    assert.ok(Number.isNaN(lag?.value));
    assert.equal(low?.value, Number.NEGATIVE_INFINITY);
  });

  it('selects and sums by name and labels; null when a metric is absent', () => {
    assert.equal(samplesOf(samples, 'stock_available').length, 2);
    assert.equal(sumOf(samples, 'kafka_consumer_lag', { topic: 'inventory-commands' }), 7);
    assert.equal(sumOf(samples, 'stock_available', { sku: 'SKU-002' }), 12);
    assert.equal(sumOf(samples, 'payments_total'), null);
  });

  it('names the line it cannot read', () => {
    assert.throws(() => parsePrometheusText('ok 1\nbroken{sku="x} 1'), PrometheusTextError);
    assert.throws(() => parsePrometheusText('a_metric one'), /line 1: the value "one" is not a number/);
    assert.throws(() => parsePrometheusText('{sku="x"} 1'), /a metric name was expected/);
  });
});
