import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Prng } from '../../lib/random/prng.ts';
import { parseOptions, reproduceCommand, UsageError } from '../options.ts';
import { planRun } from '../run-plan.ts';
import { sample } from './duplicates.ts';
import { planFaults, sessionTimeoutMs, split } from './fault-plans.ts';

const optionsOf = (line: string) => parseOptions(line.split(' ').filter(Boolean), () => 7);
const medium = optionsOf(
  '--seed 39 --brokers 3 --orders 2000 --kills 6 --broker-kills 2 --pg-restarts 1 --private-pg 5460 --registry-outages 1 --pauses 2 --duplicates 100 --compensation-faults 1',
);

describe('chaos fault plans (pure)', () => {
  test('seeded: the same options give the same plan, another seed another one', () => {
    assert.deepEqual(planFaults(medium, 200_000), planFaults(medium, 200_000));
    assert.notDeepEqual(planFaults(medium, 200_000), planFaults({ ...medium, seed: 40 }, 200_000));
  });

  test('counts, bounds and order: every fault inside the drive, one of three brokers, pauses past the session timeout', () => {
    const plan = planFaults(medium, 200_000);
    assert.equal(plan.brokerKills.length, 2);
    for (const k of plan.brokerKills) {
      assert.ok(k.node >= 1 && k.node <= 3 && k.downMs >= 2_000 && k.downMs <= 10_000);
      assert.ok(k.at >= 20_000 && k.at <= 160_000);
    }
    assert.equal(plan.pgRestarts.length, 1);
    assert.equal(plan.registryOutages.length, 1);
    assert.equal(plan.pauses.length, 2);
    for (const p of plan.pauses) assert.ok(p.pauseMs > sessionTimeoutMs, 'a pause outlasts the session');
    assert.deepEqual(
      plan.pauses.map((p) => p.at),
      plan.pauses.map((p) => p.at).sort((a, b) => a - b),
    );
    assert.equal(
      plan.duplicateBursts.reduce((sum, b) => sum + b.perTopic, 0),
      100,
      'every duplicate in some burst',
    );
    assert.equal(plan.duplicateBursts.length, 4);
    assert.equal(plan.compensationWindows.length, 1);
  });

  test('the new faults leave the plan a seed always had alone', () => {
    const before = optionsOf('--seed 20261122 --orders 200 --kills 3 --broker-restarts 1 --duration-s 30');
    const after = { ...before, brokers: 3, brokerKills: 2, pauses: 2, duplicates: 50 };
    const { faultPlans: _a, ...old } = planRun(before);
    const { faultPlans: _b, ...now } = planRun(after);
    assert.deepEqual(now, old);
  });

  test('split and sample', () => {
    assert.deepEqual(split(10, 4), [3, 3, 2, 2]);
    assert.deepEqual(split(0, 0), []);
    const picked = sample([1, 2, 3, 4, 5, 6], 4, new Prng(1));
    assert.equal(new Set(picked).size, 4, 'distinct');
    assert.deepEqual(picked, sample([1, 2, 3, 4, 5, 6], 4, new Prng(1)), 'seeded');
    assert.deepEqual(sample([1, 2], 5, new Prng(1)).sort(), [1, 2], 'all when fewer');
  });
});

describe('chaos options of the new faults (pure)', () => {
  test('defaults off; spelled out in the reproduce command', () => {
    const o = optionsOf('--seed 1');
    assert.deepEqual(
      [
        o.brokers,
        o.brokerKills,
        o.pgRestarts,
        o.privatePg,
        o.registryOutages,
        o.pauses,
        o.duplicates,
        o.compensationFaults,
      ],
      [1, 0, 0, 0, 0, 0, 0, 0],
    );
    const command = reproduceCommand(medium);
    assert.match(
      command,
      /--brokers 3 --broker-kills 2 --pg-restarts 1 --private-pg 5460 --registry-outages 1 --pauses 2 --duplicates 100 --compensation-faults 1$/,
    );
    assert.deepEqual(optionsOf(command.replace('npm run chaos -- ', '')), medium);
  });

  test('refused: broker kills on one broker, 2 brokers, a PostgreSQL restart of the machine without consent', () => {
    assert.throws(() => optionsOf('--broker-kills 1'), UsageError);
    assert.throws(() => optionsOf('--brokers 2'), /1 or 3/);
    assert.throws(() => optionsOf('--pg-restarts 1'), /machine's PostgreSQL/);
    assert.equal(optionsOf('--pg-restarts 1 --allow-machine-pg-restart').allowMachinePgRestart, true);
    assert.match(
      reproduceCommand(optionsOf('--pg-restarts 1 --allow-machine-pg-restart')),
      /--allow-machine-pg-restart/,
    );
  });
});
