/**
 * Broker ceiling: request/reply round trips per second through Kafka with the project's client
 * settings, and nothing else (no database, no Avro). A saga step is one such round trip
 * (orchestrator relay → participant consumer, participant relay → orchestrator consumer), so a
 * 3-step saga cannot go faster than echo/3 on this broker with this client.
 *
 * The requester keeps `window` round trips outstanding: every reply batch it receives is answered
 * by one send of as many new requests (batched like the outbox relay); the responder runs in its
 * own process (bench/echo-responder.ts).
 *
 * Client settings are the project's (lib/messaging/message-consumer.ts, lib/kafka/kafka-client.ts).
 * For experiments, ECHO_MAX_WAIT_MS, ECHO_MIN_BYTES, ECHO_PARTITIONS_CONCURRENTLY and
 * ECHO_AUTO_COMMIT_INTERVAL_MS change both sides' consumers.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Consumer, Producer } from 'kafkajs';
import { createIdempotentProducer, createKafka } from '../../lib/kafka/kafka-client.ts';
import { createLogger } from '../../lib/logger.ts';
import { repoRoot } from '../../scripts/support/service-processes.ts';
import { benchKafkaConnection, createTopics, deleteTopics } from './environment.ts';
import { type KernelWorkReport, kernelWorkPerSaga } from './kernel-work.ts';
import { LatencyRecorder, type LatencySummary } from './latency.ts';
import { type CpuReport, cpuBetween, cpuSnapshot, type ProcessGroups } from './process-stats.ts';

export interface EchoWindowResult {
  window: number;
  roundTrips: number;
  roundTripsPerS: number;
  latencyMs: LatencySummary | null;
  cpu: CpuReport;
  /** Context switches and read/write system calls per 3 round trips (one saga's worth); null for none. */
  kernelPerSaga: KernelWorkReport | null;
}

export interface EchoCeiling {
  /** Best round trips/s over the windows tried. */
  roundTripsPerS: number;
  /** roundTripsPerS / 3. */
  sagasPerS: number;
  windows: EchoWindowResult[];
  payloadBytes: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Headers like the services' (message id, order id, correlation id, causation id, type, time). */
const headersFor = (key: string): Record<string, string> => ({
  'message-id': key,
  'order-id': key,
  'correlation-id': key,
  'causation-id': key,
  'record-type': 'ProcessPayment',
  'occurred-at': new Date().toISOString(),
});

export async function measureEchoCeiling({
  runId,
  prefix,
  partitions,
  seconds,
  windows,
  groups,
}: {
  runId: string;
  prefix: string;
  partitions: number;
  seconds: number;
  windows: readonly number[];
  groups: ProcessGroups;
}): Promise<EchoCeiling> {
  const requestsTopic = `${prefix}echo-requests`;
  const repliesTopic = `${prefix}echo-replies`;
  await createTopics([requestsTopic, repliesTopic], partitions);
  const connection = benchKafkaConnection();
  const responder = spawn(process.execPath, ['--import', 'tsx', 'bench/echo-responder.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      KAFKA_BROKERS: connection.brokers.join(','),
      ECHO_REQUESTS: requestsTopic,
      ECHO_REPLIES: repliesTopic,
      ECHO_GROUP: `bench-echo-responder-${runId}`,
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const responderExited = new Promise<void>((resolve) => responder.once('exit', () => resolve()));
  const responderReady = new Promise<void>((resolve, reject) => {
    const lines = responder.stdout ? createInterface({ input: responder.stdout }) : null;
    lines?.on('line', (line) => {
      if (line.trim() === 'ready') resolve();
    });
    void responderExited.then(() => reject(new Error('echo responder exited before it was ready')));
  });
  const withResponder: ProcessGroups = () => {
    const map = groups();
    if (responder.pid) map.set('echo responder', [responder.pid]);
    return map;
  };

  const logger = createLogger('bench-echo', 'warn');
  const kafka = createKafka({ ...connection, clientId: 'bench-echo-requester', logger });
  const producer: Producer = createIdempotentProducer(kafka);
  const consumer: Consumer = kafka.consumer({
    groupId: `bench-echo-requester-${runId}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: Number(process.env.ECHO_MAX_WAIT_MS ?? 250),
    minBytes: Number(process.env.ECHO_MIN_BYTES ?? 1),
  });
  const payload = randomBytes(200);
  /** Current window's outstanding requests: key → send time. Keys of older windows are ignored. */
  let sentAt = new Map<string, number>();
  let sending = false;
  let counting = false;
  let count = 0;
  let latency = new LatencyRecorder();
  const sendRequests = async (n: number) => {
    if (n === 0) return;
    const messages = Array.from({ length: n }, () => {
      const key = randomUUID();
      sentAt.set(key, performance.now());
      return { key, value: payload, headers: headersFor(key) };
    });
    await producer.send({ topic: requestsTopic, acks: -1, messages });
  };

  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [repliesTopic], fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Number(process.env.ECHO_PARTITIONS_CONCURRENTLY ?? 16),
      autoCommit: false,
      autoCommitInterval: Number(process.env.ECHO_AUTO_COMMIT_INTERVAL_MS ?? 500),
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
        if (batch.messages.length === 0) return;
        const now = performance.now();
        let answered = 0;
        for (const message of batch.messages) {
          const key = message.key?.toString() ?? '';
          const at = sentAt.get(key);
          if (at === undefined) continue;
          sentAt.delete(key);
          answered += 1;
          if (counting) {
            count += 1;
            latency.record(now - at);
          }
        }
        if (sending) await sendRequests(answered);
        const last = batch.messages[batch.messages.length - 1];
        if (last) resolveOffset(last.offset);
        await commitOffsetsIfNecessary();
        await heartbeat();
      },
    });
    await Promise.all([joined, responderReady]);

    const results: EchoWindowResult[] = [];
    for (const window of windows) {
      sentAt = new Map();
      latency = new LatencyRecorder();
      count = 0;
      sending = true;
      await sendRequests(window);
      await sleep(Math.min(2_000, seconds * 200)); // settle before counting
      const before = cpuSnapshot(withResponder);
      counting = true;
      await sleep(seconds * 1000);
      counting = false;
      const after = cpuSnapshot(withResponder);
      sending = false;
      const roundTrips = count;
      const cpu = cpuBetween(before, after);
      results.push({
        window,
        roundTrips,
        roundTripsPerS: Math.round(roundTrips / ((after.at - before.at) / 1000)),
        latencyMs: latency.summary(),
        cpu,
        kernelPerSaga: kernelWorkPerSaga(cpu.kernel, roundTrips / 3),
      });
      await sleep(1_000); // let the window's last round trips come back
    }
    const best = Math.max(0, ...results.map((r) => r.roundTripsPerS));
    return {
      roundTripsPerS: best,
      sagasPerS: Math.round(best / 3),
      windows: results,
      payloadBytes: payload.length,
    };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    responder.kill('SIGTERM');
    const timer = setTimeout(() => responder.kill('SIGKILL'), 5_000);
    await responderExited;
    clearTimeout(timer);
    await deleteTopics([requestsTopic, repliesTopic]).catch(() => undefined);
  }
}
