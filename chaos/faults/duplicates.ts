/**
 * A planned duplicate burst: messages already on the command and reply topics re-published — the
 * same key, value and headers (so the same message id), on the same partition — as a producer retry,
 * a relay crash between send and delete, or a replayed topic would. Every copy must be recognised
 * (the inboxes) and applied zero times more: the exactly-once invariants say whether it was.
 */
import type { KafkaMessage } from 'kafkajs';
import { readToEnd } from '../../lib/kafka/read-to-end.ts';
import { Prng } from '../../lib/random/prng.ts';
import type { ChaosRun } from '../chaos-run.ts';
import { chaosKafka } from '../environment.ts';
import type { DuplicateBurstPlan } from './fault-plans.ts';

/** The topics whose messages are duplicated: every command and every reply (order-events has no consumer here). */
export const duplicatedTopics = [
  'inventory-commands',
  'payment-commands',
  'shipping-commands',
  'inventory-events',
  'payment-events',
  'shipping-events',
] as const;

interface Seen {
  partition: number;
  message: KafkaMessage;
}

/** `count` distinct items of `items`, chosen by `random` (all of them when there are fewer). */
export function sample<T>(items: readonly T[], count: number, random: Prng): T[] {
  const pool = [...items];
  const chosen: T[] = [];
  while (chosen.length < count && pool.length > 0) {
    const i = Math.floor(random.next() * pool.length);
    chosen.push(pool[i] as T);
    pool[i] = pool[pool.length - 1] as T;
    pool.pop();
  }
  return chosen;
}

/**
 * One burst; its reads and sends are tried again (a broker may be down meanwhile: the faults
 * overlap), and a burst that cannot be injected is recorded as such, not a failure of the run.
 */
export async function duplicateBurst(run: ChaosRun, plan: DuplicateBurstPlan, number: number): Promise<void> {
  const at = run.clock.since();
  const from = Date.now();
  let lastError: unknown = null;
  for (let attempt = 1; attempt <= 5 && !run.lifetime.aborted; attempt++) {
    try {
      const sent = await rePublish(run, plan, `${number}-${attempt}`);
      run.records.faults.push({
        kind: 'duplicates',
        at,
        target: `${sent} messages (${plan.perTopic} per topic asked)`,
        durationMs: Date.now() - from,
        outcome: `re-published with their headers to ${duplicatedTopics.length} topics${attempt > 1 ? ` (attempt ${attempt})` : ''}`,
      });
      run.log.say(
        `duplicate burst ${number}: re-published ${sent} past messages with their original headers`,
      );
      return;
    } catch (error) {
      lastError = error;
      run.log.say(
        `duplicate burst ${number}: attempt ${attempt} failed (${(error as Error).message}); again in 5 s`,
      );
      await run.lifetime.sleep(5_000).catch(() => undefined);
    }
  }
  run.records.faults.push({
    kind: 'duplicates',
    at,
    target: `0 messages (${plan.perTopic} per topic asked)`,
    durationMs: Date.now() - from,
    outcome: `not injected: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
  });
}

/** Reads the topics to their end and re-publishes the seeded choice; how many messages were sent. */
async function rePublish(run: ChaosRun, plan: DuplicateBurstPlan, attempt: string): Promise<number> {
  const { env, runId } = run.identity;
  const kafka = chaosKafka(env, 'chaos-duplicates', {
    retry: { retries: 20, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
  const byTopic = new Map<string, Seen[]>();
  const groupId = `chaos-duplicates-${runId}-${attempt}`;
  run.records.extraGroups.push(groupId);
  const topics = duplicatedTopics.map((t) => `${env.topicPrefix}${t}`);
  await readToEnd(kafka, {
    topics,
    groupId,
    timeoutMs: 120_000,
    onMessage: (topic, partition, message) => {
      const list = byTopic.get(topic) ?? [];
      list.push({ partition, message });
      byTopic.set(topic, list);
    },
  });
  const random = new Prng(plan.seed);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let sent = 0;
  try {
    for (const topic of topics) {
      const chosen = sample(byTopic.get(topic) ?? [], plan.perTopic, random);
      if (chosen.length === 0) continue;
      await producer.send({
        topic,
        acks: -1,
        messages: chosen.map(({ partition, message }) => ({
          partition,
          key: message.key,
          value: message.value,
          headers: message.headers,
        })),
      });
      sent += chosen.length;
    }
  } finally {
    await producer.disconnect();
  }
  return sent;
}
