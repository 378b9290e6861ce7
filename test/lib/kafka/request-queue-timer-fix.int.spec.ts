import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type KafkaHarness, openKafkaHarness, recordTopic } from '../../support/kafka-harness.ts';
import { waitFor } from '../../support/wait-for.ts';

/** Timers created in this process during `windowMs` (async_hooks sees every setTimeout/setInterval). */
async function timersCreatedDuring(windowMs: number): Promise<number> {
  let created = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'Timeout') created += 1;
    },
  });
  hook.enable();
  try {
    await new Promise((resolve) => setTimeout(resolve, windowMs)); // the measurement window itself
  } finally {
    hook.disable();
  }
  return created;
}

describe('kafkajs clients at rest (real broker)', () => {
  let harness: KafkaHarness;
  const topic = `it-idle-timers-${randomUUID()}`;

  before(async () => {
    harness = await openKafkaHarness('it-idle-timers');
    await harness.admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  });

  after(async () => {
    await harness.admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await harness.close();
  });

  test('a connected producer and consumer do not wake the process every millisecond', async () => {
    const reader = await recordTopic(harness.kafka, topic);
    try {
      await harness.producer.send({ topic, messages: [{ key: 'k', value: 'v' }] });
      await waitFor('the consumer to receive the message', () =>
        reader.messages.length === 1 ? true : undefined,
      );

      // Both clients now have answered requests on their connections: in kafkajs 2.2.4 each such
      // connection re-armed a 1 ms timer forever (~700 timers/s per connection). What is left are
      // the consumer's fetches (every 100 ms), heartbeats and the test's own timer.
      const timers = await timersCreatedDuring(1_000);
      assert.ok(timers < 100, `expected < 100 timers in 1 s at rest, saw ${timers}`);
    } finally {
      await reader.stop();
    }
  });
});
