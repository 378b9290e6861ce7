/**
 * Microbenchmark of a produce request's encoding: kafkajs's own request against the single-buffer
 * encoder (`lib/kafka/kafkajs-patches/produce-request-encoder.ts`), on a request shaped like an outbox relay's —
 * 2 topics × 3 partitions, messages of this project (UUID key, six headers, a 120-byte Avro body),
 * framed by kafkajs's `protocol/request.js` as the connection sends it. Interleaved rounds; prints
 * µs per record and the command.
 *
 *   node --import tsx bench/produce-encoding.ts [--records-per-partition 15] [--requests 5000] [--rounds 4]
 */
import { createRequire } from 'node:module';
import { applyKafkajsPatches } from '../lib/kafka/kafkajs-patches/index.ts';
import {
  originalProduceRequest,
  type ProduceRequest,
  type ProduceRequestArgs,
} from '../lib/kafka/kafkajs-patches/produce-request-encoder.ts';
import { projectMessage } from '../test/support/project-message.ts';
import { positiveIntegerOptions, roundsAndMedian } from './support/microbenchmark-options.ts';

applyKafkajsPatches();
const require = createRequire(import.meta.url);
const frameRequest: (args: {
  correlationId: number;
  clientId: string;
  request: ProduceRequest;
}) => Promise<{ buffer: Buffer }> = require('kafkajs/src/protocol/request.js');
const Long: { fromValue(value: unknown): unknown } = require('kafkajs/src/utils/long.js');
const installed = require('kafkajs/src/protocol/requests/produce/v3/request.js') as (
  args: ProduceRequestArgs,
) => ProduceRequest;

const {
  'records-per-partition': perPartition,
  requests,
  rounds,
} = positiveIntegerOptions({ 'records-per-partition': 15, requests: 5000, rounds: 4 });

const message = () => projectMessage('ProcessPayment');
const args: ProduceRequestArgs = {
  acks: -1,
  timeout: 30_000,
  producerId: Long.fromValue(1234),
  producerEpoch: 0,
  topicData: ['orders.commands.payment', 'orders.order-events'].map((topic) => ({
    topic,
    partitions: [0, 1, 2].map((partition) => ({
      partition,
      firstSequence: 5,
      messages: Array.from({ length: perPartition }, message),
    })),
  })),
};
const recordsPerRequest = 6 * perPartition;
const kafkajs = originalProduceRequest();
if (kafkajs === null) throw new Error('the produce request encoder was not applied');

async function microsPerRecord(factory: (a: ProduceRequestArgs) => ProduceRequest): Promise<number> {
  const started = performance.now();
  let bytes = 0;
  for (let i = 0; i < requests; i++) {
    bytes += (await frameRequest({ correlationId: i, clientId: 'bench', request: factory(args) })).buffer
      .length;
  }
  if (bytes === 0) throw new Error('nothing encoded');
  return ((performance.now() - started) * 1000) / (requests * recordsPerRequest);
}

const results = { kafkajs: [] as number[], singleBuffer: [] as number[] };
await microsPerRecord(kafkajs); // warm-up of both paths
await microsPerRecord(installed);
for (let round = 0; round < rounds; round++) {
  results.kafkajs.push(await microsPerRecord(kafkajs));
  results.singleBuffer.push(await microsPerRecord(installed));
}
console.log(
  `produce request of ${recordsPerRequest} records, ${requests} requests per round, µs per record:`,
);
console.log(`  kafkajs 2.2.4          ${roundsAndMedian(results.kafkajs, 2)}`);
console.log(`  single-buffer encoder  ${roundsAndMedian(results.singleBuffer, 2)}`);
console.log(
  `reproduce: node --import tsx bench/produce-encoding.ts --records-per-partition ${perPartition} --requests ${requests} --rounds ${rounds}`,
);
