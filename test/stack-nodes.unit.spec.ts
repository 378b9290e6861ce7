/**
 * scripts/stack/kafka-nodes.sh and kafka-config.sh, sourced in bash with a throwaway state dir: the
 * three-node cluster's ports, quorum, bootstrap list and each node's replication settings, and the
 * one-node configuration unchanged. (Starting the JVMs is the chaos run's business.)
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

const root = new URL('../', import.meta.url).pathname;
const state = mkdtempSync(join(tmpdir(), 'stack-nodes-'));
after(() => rmSync(state, { recursive: true, force: true }));

/** Runs `script` after sourcing the stack's parts, with KAFKA_PORT 9160 and the controller on 9161. */
const bash = (script: string, count: number): string =>
  execFileSync(
    'bash',
    [
      '-c',
      `set -euo pipefail; ROOT=${root}; for p in common processes secrets kafka-nodes kafka-config; do source "$ROOT/scripts/stack/$p.sh"; done; KAFKA_BROKER_COUNT=${count}; ${script}`,
    ],
    {
      env: {
        PATH: process.env.PATH,
        HOME: state,
        ORDER_SAGA_STATE: state,
        KAFKA_PORT: '9160',
        KAFKA_CONTROLLER_PORT: '9161',
      },
    },
  ).toString();

describe('stack: the Kafka nodes (bash, no JVM)', () => {
  test('three nodes: ports +2 each, every node a voter, the bootstrap lists all three', () => {
    assert.equal(bash('kafka_bootstrap', 3), '127.0.0.1:9160,127.0.0.1:9162,127.0.0.1:9164');
    assert.equal(bash('kafka_quorum_voters', 3), '1@127.0.0.1:9161,2@127.0.0.1:9163,3@127.0.0.1:9165');
    assert.equal(
      bash('printf "%s %s %s" "$(kafka_comp 1)" "$(kafka_comp 3)" "$(kafka_node_dir 2)"', 3),
      `kafka kafka-3 ${state}/kafka-2`,
    );
    assert.equal(bash('kafka_bootstrap', 1), '127.0.0.1:9160');
  });

  test('node 2 of three: its own listeners and data, replication factor 3, min.insync.replicas=2', () => {
    bash('write_kafka_config 2', 3);
    const config = readFileSync(join(state, 'kafka-2', 'server.properties'), 'utf8');
    for (const line of [
      'node.id=2',
      'controller.quorum.voters=1@127.0.0.1:9161,2@127.0.0.1:9163,3@127.0.0.1:9165',
      'listeners=SASL://127.0.0.1:9162,CONTROLLER://127.0.0.1:9163',
      'advertised.listeners=SASL://127.0.0.1:9162',
      `log.dirs=${state}/kafka-2/data`,
      'default.replication.factor=3',
      'min.insync.replicas=2',
      'offsets.topic.replication.factor=3',
      'transaction.state.log.min.isr=2',
      'allow.everyone.if.no.acl.found=false',
    ])
      assert.ok(config.split('\n').includes(line), `node 2 has ${line}`);
  });

  test('one node: as the single broker always was (replication 1, in <state>/kafka)', () => {
    bash('write_kafka_config 1', 1);
    const config = readFileSync(join(state, 'kafka', 'server.properties'), 'utf8').split('\n');
    for (const line of [
      'node.id=1',
      'controller.quorum.voters=1@127.0.0.1:9161',
      'default.replication.factor=1',
      'min.insync.replicas=1',
    ])
      assert.ok(config.includes(line), `node 1 has ${line}`);
  });

  test('a storage formatted for one node refuses three without --fresh', () => {
    const out = execFileSync(
      'bash',
      [
        '-c',
        `ROOT=${root}; for p in common processes secrets kafka-nodes; do source "$ROOT/scripts/stack/$p.sh"; done; mkdir -p "$KAFKA_DATA"; touch "$KAFKA_DATA/meta.properties"; echo 1 >"$BROKERS_FILE"; KAFKA_BROKER_COUNT=3; (resolve_broker_count) 2>&1 || true; KAFKA_BROKER_COUNT=""; resolve_broker_count; echo "kept $KAFKA_BROKER_COUNT"`,
      ],
      { env: { PATH: process.env.PATH, HOME: state, ORDER_SAGA_STATE: state } },
    ).toString();
    assert.match(out, /formatted for 1 broker\(s\), not 3/);
    assert.match(out, /kept 1$/m);
  });
});
