import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseOptions } from './options.ts';
import { planRun } from './run-plan.ts';

const optionsOf = (line: string) => parseOptions(line.split(' ').filter(Boolean), () => 7);
/** The chaos spec's run (test/chaos/chaos.chaos.spec.ts). */
const specOptions = optionsOf('--seed 20261122 --orders 200 --kills 3 --broker-restarts 1 --duration-s 30');

describe('chaos run plan (pure)', () => {
  test('the same options give the same plan; another seed another one', () => {
    assert.deepEqual(planRun(specOptions), planRun(specOptions));
    assert.notDeepEqual(planRun(specOptions).killPlans, planRun({ ...specOptions, seed: 1 }).killPlans);
  });

  test('the chaos spec’s seed keeps the plan it had (kinds, victims, down times, the silenced command)', () => {
    const plan = planRun(specOptions);
    const count = (kind: string) => plan.regularKinds.filter((k) => k === kind).length;
    const kinds = [
      'happy',
      'declined',
      'out_of_stock',
      'unserved',
      'cancel_in_flight',
      'cancel_completed',
      'delivered',
    ];
    assert.deepEqual([plan.regularCount, ...kinds.map(count)], [194, 69, 30, 20, 17, 13, 22, 23]);
    assert.deepEqual(plan.killPlans, [
      { at: 8466, victim: 'orchestrator-2', downMs: 519 },
      { at: 19893, victim: 'payment-1', downMs: 4619 },
      { at: 20997, victim: 'shipping-1', downMs: 1893 },
    ]);
    assert.deepEqual(plan.brokerPlans, [12636]);
    assert.deepEqual(plan.windowPlans, [{ at: 8934, command: 'ProcessPayment', orders: 6 }]);
  });

  test('faults fall in their share of the drive period, in order; windows rotate through the commands', () => {
    const options = optionsOf('--seed 5 --orders 20000 --kills 200 --broker-restarts 5 --duration-s 600');
    const plan = planRun(options);
    const ms = plan.durationMs;
    assert.equal(ms, 600_000);
    assert.ok(plan.killPlans.every((k) => k.at >= 0.03 * ms && k.at <= 0.9 * ms));
    assert.ok(plan.killPlans.every((k) => k.downMs >= 300 && k.downMs <= 5_000));
    assert.ok(plan.killPlans.every((k) => /^(orchestrator|inventory|payment|shipping)-[12]$/.test(k.victim)));
    assert.deepEqual(
      plan.killPlans.map((k) => k.at),
      plan.killPlans.map((k) => k.at).sort((a, b) => a - b),
    );
    assert.ok(plan.brokerPlans.every((at) => at >= 0.15 * ms && at <= 0.8 * ms));
    assert.equal(plan.windows, 6, '1 + orders/2500, at most 6');
    const commands = plan.windowPlans.map((w) => w.command);
    assert.deepEqual(commands.slice(3), commands.slice(0, 3), 'the three commands in turn');
    assert.equal(new Set(commands).size, 3);
    plan.windowPlans.forEach((w, i) => {
      assert.ok(w.at >= ms * (0.05 + (0.8 * i) / 6) && w.at <= ms * (0.05 + (0.8 * (i + 1)) / 6));
    });
    assert.equal(plan.regularCount, 20000 - 6 * 6);
    assert.equal(plan.regularKinds.length, plan.regularCount);
  });

  test('a window needs four times its orders in the run', () => {
    assert.equal(planRun(optionsOf('--orders 47 --silent-orders 6')).windows, 1);
    assert.equal(planRun(optionsOf('--orders 23 --silent-orders 6')).windows, 0);
    assert.equal(planRun(optionsOf('--orders 23 --silent-orders 6')).regularCount, 23);
  });
});
