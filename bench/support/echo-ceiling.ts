/**
 * Broker ceiling: request/reply round trips per second through Kafka with the services' client
 * settings, and nothing else (no database, no Avro). A saga step is one such round trip
 * (orchestrator relay → participant consumer, participant relay → orchestrator consumer), so a
 * 3-step saga cannot go faster than echo ÷ 3 on this broker with this client.
 *
 * The requester keeps `window` round trips outstanding: each batch of replies is answered by one
 * send of as many new requests (batched like the outbox relay); the responder runs in its own
 * process (bench/echo-responder.ts). Each window is measured in turn; the best is the ceiling.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { ConsumerRunConfig, KafkaMessage } from 'kafkajs';
import { createIdempotentProducer, createKafka } from '../../lib/kafka/kafka-client.ts';
import { createLogger } from '../../lib/logger.ts';
import { localKafkaAdminConnection } from '../../scripts/support/kafka-env.ts';
import { repoRoot } from '../../scripts/support/service-processes.ts';
import { createTopics, deleteTopics } from './environment.ts';
import { LatencyRecorder } from './latency.ts';
import type { ProcessGroups } from './proc-stats.ts';
import { perSaga, snapshot, usageBetween } from './proc-stats.ts';

/** A producer and a consumer as the services make them (lib/kafka, lib/messaging/message-consumer.ts). */
export function echoClients(clientId: string, groupId: string) {
  const kafka = createKafka({
    ...localKafkaAdminConnection(),
    clientId,
    logger: createLogger(clientId, 'warn'),
  });
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
    minBytes: 1,
  });
  return { producer: createIdempotentProducer(kafka), consumer };
}

/** The services' run settings (offsets on a 500 ms timer, 16 partitions at a time) around `handle`. */
export const echoConsumerRun = (handle: (messages: KafkaMessage[]) => Promise<void>): ConsumerRunConfig => ({
  eachBatchAutoResolve: false,
  partitionsConsumedConcurrently: 16,
  autoCommit: false,
  autoCommitInterval: 500,
  eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
    if (batch.messages.length === 0) return;
    await handle(batch.messages);
    resolveOffset(batch.lastOffset());
    await commitOffsetsIfNecessary();
    await heartbeat();
  },
});

export type EchoCeiling = Awaited<ReturnType<typeof measureEchoCeiling>>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureEchoCeiling(options: {
  runId: string;
  partitions: number;
  seconds: number;
  windows: readonly number[];
  groups: ProcessGroups;
}) {
  const requests = `bench-${options.runId}.echo-requests`;
  const replies = `bench-${options.runId}.echo-replies`;
  await createTopics([requests, replies], options.partitions);
  const env = { ECHO_REQUESTS: requests, ECHO_REPLIES: replies, ECHO_GROUP: `bench-echo-${options.runId}` };
  const responder = spawn(process.execPath, ['--import', 'tsx', 'bench/echo-responder.ts'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(responder, 'exit');
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: responder.stdout }).on('line', (line) => line.trim() === 'ready' && resolve());
    void exited.then(() => reject(new Error('the echo responder exited before it was ready')));
  });
  const groups: ProcessGroups = () =>
    options.groups().set('echo responder', responder.pid ? [responder.pid] : []);

  const { producer, consumer } = echoClients('bench-echo-requester', `bench-echo-requester-${options.runId}`);
  const payload = randomBytes(200);
  // The current window's outstanding requests (key → send time); replies of older windows are ignored.
  let sentAt = new Map<string, number>();
  let [sending, counting, latency] = [false, false, new LatencyRecorder()];
  const send = async (n: number) => {
    const messages = Array.from({ length: n }, () => {
      const key = randomUUID();
      sentAt.set(key, performance.now());
      // headers like the services' (message, order, correlation and causation ids, type, time)
      const ids = { 'message-id': key, 'order-id': key, 'correlation-id': key, 'causation-id': key };
      const headers = { ...ids, 'record-type': 'ProcessPayment', 'occurred-at': new Date().toISOString() };
      return { key, value: payload, headers };
    });
    if (n > 0) await producer.send({ topic: requests, acks: -1, messages });
  };

  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [replies], fromBeginning: true });
    const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
    await consumer.run(
      echoConsumerRun(async (messages) => {
        const now = performance.now();
        const keys = messages.map((m) => m.key?.toString() ?? '').filter((key) => sentAt.has(key));
        for (const key of keys) {
          if (counting) latency.record(now - (sentAt.get(key) ?? now));
          sentAt.delete(key);
        }
        if (sending) await send(keys.length);
      }),
    );
    await Promise.all([joined, ready]);

    const results = [];
    for (const window of options.windows) {
      [sentAt, latency, sending] = [new Map(), new LatencyRecorder(), true];
      await send(window);
      await sleep(Math.min(2_000, options.seconds * 200)); // settle before counting
      const before = snapshot(groups);
      counting = true;
      await sleep(options.seconds * 1000);
      counting = false;
      const cpu = usageBetween(before, snapshot(groups));
      sending = false;
      const roundTrips = latency.summary()?.count ?? 0;
      const roundTripsPerS = Math.round(roundTrips / cpu.wallSeconds);
      // per 3 round trips, one saga's worth; the responder is the group "echo responder"
      const perThree = perSaga(cpu, roundTrips / 3);
      results.push({
        window,
        roundTrips,
        roundTripsPerS,
        latencyMs: latency.summary(),
        cpu,
        perSaga: perThree,
      });
      await sleep(1_000); // let the window's last round trips come back
    }
    const best = Math.max(0, ...results.map((r) => r.roundTripsPerS));
    // the best window's round trips/s, and that ÷ 3
    return { roundTripsPerS: best, sagasPerS: Math.round(best / 3), windows: results };
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    responder.kill('SIGTERM');
    const timer = setTimeout(() => responder.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    await deleteTopics([requests, replies]);
  }
}
