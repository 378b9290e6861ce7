/**
 * Proves that the topics are plain Confluent-framed Avro that non-JavaScript tools read:
 * `scripts/avro-console.sh` (Kafka's own Java console consumer + Apache Avro's avro-tools, writer
 * schema fetched from the registry by the id in the frame) decodes what the project's codec wrote.
 *
 * Needs the stack (`npm run stack -- up`), java and curl; the first run fetches the tools with mvn.
 *   node --import tsx --test test/avro-console.int.spec.ts
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RecordName, RecordPayloads } from '../lib/contracts/generated.ts';
import { firstMessageHeaders, type KafkaHarness, openKafkaHarness } from './support/kafka-harness.ts';

const script = fileURLToPath(new URL('../scripts/avro-console.sh', import.meta.url));
const run = randomUUID().slice(0, 8);
const topic = `it-avro-console-${run}`;
const orderId = randomUUID();
const placed: RecordPayloads['OrderPlaced'] = {
  orderId,
  customerId: `c-${run}`,
  items: [
    { sku: 'SKU-001', quantity: 2, unitPrice: 1999 },
    { sku: 'SKU-"quoted"\\', quantity: 1, unitPrice: null },
  ],
  total: 4003,
  currency: 'EUR',
  contact: null,
};
/** The same in Avro's JSON encoding, as avro-tools prints it: a non-null union value names its branch. */
const placedAvroJson = {
  ...placed,
  items: [
    { sku: 'SKU-001', quantity: 2, unitPrice: { long: 1999 } },
    { sku: 'SKU-"quoted"\\', quantity: 1, unitPrice: null },
  ],
  total: { long: 4003 },
};
const cancelled: RecordPayloads['OrderCancelled'] = { orderId, reason: 'payment_declined' };

let harness: KafkaHarness;

before(async () => {
  harness = await openKafkaHarness('it-avro-console');
  // one partition: the console consumer prints the messages in the order they were produced
  await harness.admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
});

after(async () => {
  if (!harness) return;
  await harness.admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await harness.close();
});

/** One `=== …` block of the script's output: `label: value` lines. */
type Block = Record<string, string>;

function parseBlocks(stdout: string): Block[] {
  const blocks: Block[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('=== ')) blocks.push({ title: line.slice(4) });
    const field = /^([a-z-]+): +(.*)$/.exec(line);
    const current = blocks.at(-1);
    if (field && current) current[field[1] as string] = field[2] as string;
  }
  return blocks;
}

function runScript(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // the first run downloads the tools from Maven Central
    execFile('bash', [script, ...args], { timeout: 240_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test('avro-console.sh decodes what the codec wrote, with Java tools only', { timeout: 300_000 }, async () => {
  const { codec, producer } = harness;
  const sent: { type: RecordName; payload: object; printed: object; messageId: string }[] = [
    { type: 'OrderPlaced', payload: placed, printed: placedAvroJson, messageId: randomUUID() },
    { type: 'OrderCancelled', payload: cancelled, printed: cancelled, messageId: randomUUID() },
  ];
  await producer.send({
    topic,
    messages: await Promise.all(
      sent.map(async ({ type, payload, messageId }) => ({
        key: orderId,
        value: await codec.encode(type, payload as never),
        headers: firstMessageHeaders(type, orderId, messageId),
      })),
    ),
  });

  const { code, stdout, stderr } = await runScript(topic, String(sent.length));
  assert.equal(code, 0, `avro-console.sh exited with ${code}\n${stderr}\n${stdout}`);
  const blocks = parseBlocks(stdout);
  assert.equal(blocks.length, sent.length, stdout);

  sent.forEach(({ type, printed, messageId }, i) => {
    const block = blocks[i] as Block;
    assert.match(block.title ?? '', new RegExp(`^${topic} partition 0 offset ${i} \\(CreateTime `), stdout);
    assert.equal(block.key, orderId);
    assert.equal(block['record-type'], type);
    assert.match(block.headers ?? '', new RegExp(`message-id=${messageId}`));
    assert.match(block.frame ?? '', new RegExp(`^magic byte 0x00, schema id ${codec.schemaIdOf(type)}\\b`));
    assert.equal(block.error, undefined, block.error);
    assert.deepEqual(JSON.parse(block.value ?? 'null'), printed);
  });
  const [decodedPlaced, decodedCancelled] = blocks.map((b) => JSON.parse(b.value ?? 'null'));
  assert.equal(decodedPlaced.orderId, orderId);
  assert.deepEqual(decodedPlaced.total, { long: 4003 });
  assert.equal(decodedCancelled.reason, 'payment_declined');
});
