import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseOptions, reproduceCommand } from '../options.ts';
import { planRun } from '../run-plan.ts';
import { layoutOf } from './namespaces.ts';
import { cutCommand, cutRange, healCommand, planPartitions } from './partitions.ts';

const labels = ['orchestrator-1', 'inventory-1', 'payment-1', 'shipping-1', 'orchestrator-2', 'inventory-2'];

describe('network partitions (pure)', () => {
  test('the plan: seeded, sorted, inside 10–85 % of the drive, cuts of 3–20 s, victims among the instances', () => {
    const plan = planPartitions(42, 50, 100_000, labels);
    assert.deepEqual(plan, planPartitions(42, 50, 100_000, labels));
    assert.notDeepEqual(plan, planPartitions(43, 50, 100_000, labels));
    assert.equal(plan.length, 50);
    for (const [i, p] of plan.entries()) {
      assert.ok(p.at >= 10_000 && p.at <= 85_000, `at ${p.at}`);
      assert.ok(p.cutMs >= cutRange.minMs && p.cutMs <= cutRange.maxMs, `cut ${p.cutMs}`);
      assert.ok(labels.includes(p.victim));
      if (i > 0) assert.ok(p.at >= (plan[i - 1]?.at ?? 0));
    }
    assert.ok(
      plan.some((p) => p.cutMs > 10_000) && plan.some((p) => p.cutMs < 10_000),
      'both sides of the session timeout',
    );
  });

  test('adding partitions leaves the rest of a seed’s plan as it was', () => {
    const line = '--seed 20261122 --orders 200 --kills 3 --broker-restarts 1 --duration-s 30';
    const without = parseOptions(line.split(' '), () => 7);
    const withNet = parseOptions([...line.split(' '), '--net-partitions', '2', '--net-delay', '20'], () => 7);
    assert.equal(withNet.netPartitions, 2);
    assert.equal(withNet.netDelayMs, 20);
    assert.equal(without.netPartitions, 0);
    assert.deepEqual(planRun(withNet), planRun(without));
    assert.match(reproduceCommand(withNet), / --net-partitions 2 --net-delay 20/);
    assert.throws(
      () => parseOptions(['--net-delay', '-1'], () => 7),
      /--net-delay needs an integer between 0 and 5000/,
    );
  });

  test('a cut drops the stack ports both ways on the instance’s veth; a heal deletes the table', () => {
    const l = layoutOf(3900, 5);
    const cut = cutCommand(l, [9170, 5432, 8170]);
    assert.deepEqual(cut.argv, ['ip', 'netns', 'exec', 'osn-3900-5', 'nft', '-f', '-']);
    assert.match(
      cut.stdin ?? '',
      /hook output .*\n\s+oifname "osv3900x5n" tcp dport \{ 5432, 8170, 9170 \} drop/,
    );
    assert.match(
      cut.stdin ?? '',
      /hook input .*\n\s+iifname "osv3900x5n" tcp sport \{ 5432, 8170, 9170 \} drop/,
    );
    assert.doesNotMatch(cut.stdin ?? '', /reject/, 'packets vanish, as on a partition');
    assert.deepEqual(healCommand(l).argv, [
      'ip',
      'netns',
      'exec',
      'osn-3900-5',
      'nft',
      'delete',
      'table',
      'inet',
      'osn_cut',
    ]);
  });
});
