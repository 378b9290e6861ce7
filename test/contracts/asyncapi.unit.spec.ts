/**
 * The AsyncAPI document: generated from the code, committed as docs/asyncapi.yaml without drift, and
 * valid for @asyncapi/parser. Each check is also shown failing on a broken input.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Parser } from '@asyncapi/parser';
import { deadLetterHeaderNames } from '../../lib/contracts/asyncapi-components.ts';
import { schemaFiles } from '../../lib/contracts/schema-files.ts';
import { topicOwnership } from '../../lib/kafka/acls.ts';
import { businessTopics, deadLetterTopicOf } from '../../lib/kafka/topics.ts';
import { orderSagaAsyncApi, orderSagaAsyncApiOf } from '../../orchestrator/saga/saga-asyncapi.ts';
import { orderSagaCompensations } from '../../orchestrator/saga/saga-compensations.ts';
import { orderSagaGraph } from '../../orchestrator/saga/saga-graph.ts';
import { asyncApiDrift, asyncApiYaml, committedAsyncApi } from '../../scripts/support/asyncapi-yaml.ts';

type Doc = {
  channels: Record<string, { address: string; messages: Record<string, unknown> }>;
  operations: Record<string, { action: string; channel: { $ref: string }; messages: { $ref: string }[] }>;
  components: {
    messages: Record<string, { payload: { $ref: string }; 'x-registry-subject'?: string }>;
    schemas: Record<string, { schemaFormat?: string; schema?: unknown }>;
  };
};
const document = orderSagaAsyncApi() as unknown as Doc;

/** Errors and warnings of @asyncapi/parser (its hints and infos, e.g. "3.1.0 exists", are left out). */
async function parserProblems(doc: unknown): Promise<string[]> {
  const { diagnostics } = await new Parser().parse(doc as never);
  return diagnostics
    .filter((d) => d.severity <= 1)
    .map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`);
}

const messagesOf = (operation: string): string[] =>
  (document.operations[operation]?.messages ?? []).map((m) => m.$ref.split('/').at(-1) ?? '');

describe('AsyncAPI document', () => {
  it('docs/asyncapi.yaml is what the code generates (npm run gen:asyncapi)', () => {
    assert.equal(asyncApiDrift(committedAsyncApi(), asyncApiYaml()), null);
  });

  it('the drift check fails on a drifted document', () => {
    const generated = asyncApiYaml();
    const drifted = generated.replace('    ReserveStock:\n', '    ReserveStockV2:\n');
    assert.notEqual(drifted, generated);
    assert.match(
      asyncApiDrift(drifted, generated) ?? '',
      /^docs\/asyncapi\.yaml differs .* at line \d+: committed ".*ReserveStockV2:"/,
    );
    assert.match(asyncApiDrift(undefined, generated) ?? '', /does not exist/);
  });

  it('is a valid AsyncAPI 3.0 document for @asyncapi/parser', async () => {
    assert.deepEqual(await parserProblems(document), []);
  });

  it('the parser refuses a broken document (an operation sending a message its channel does not carry)', async () => {
    const broken = structuredClone(document);
    const send = broken.operations.orchestratorSendsInventoryCommands;
    assert.ok(send);
    send.messages.push({ $ref: '#/channels/paymentCommands/messages/ProcessPayment' });
    const problems = await parserProblems(broken);
    assert.ok(
      problems.some((p) => p.startsWith('asyncapi3-operation-messages-from-referred-channel')),
      problems.join('\n'),
    );
  });

  it('has every topic as a channel, every consumed topic with its dead-letter channel, every record as a message', () => {
    const addresses = Object.values(document.channels).map((c) => c.address);
    const consumed = businessTopics.filter((t) =>
      Object.values(topicOwnership).some((o) => o.reads.includes(t)),
    );
    assert.deepEqual(addresses.sort(), [...businessTopics, ...consumed.map(deadLetterTopicOf)].sort());
    for (const file of schemaFiles()) {
      const message = document.components.messages[file.name];
      assert.ok(message, file.name);
      assert.equal(message['x-registry-subject'], file.subject);
      const payload = document.components.schemas[message.payload.$ref.split('/').at(-1) ?? ''];
      assert.deepEqual(payload?.schema, file.schema, `${file.name}: its Avro schema, by reference`);
      const channel = Object.values(document.channels).find((c) => c.address === file.topic);
      assert.ok(channel?.messages[file.name], `${file.name} on ${file.topic}`);
    }
  });

  it("the orchestrator sends exactly the machine's commands and receives exactly the replies it accepts", () => {
    const graph = orderSagaGraph();
    const commands = graph.states.flatMap((s) => (s.command === null ? [] : [s.command]));
    const sent = ['Inventory', 'Payment', 'Shipping'].flatMap((p) =>
      messagesOf(`orchestratorSends${p}Commands`),
    );
    assert.deepEqual(sent.sort(), [...commands].sort());
    const replies = [...new Set(graph.transitions.map((t) => t.event))].filter(
      (e) => e !== 'DEADLINE_PASSED' && e !== 'RETRY' && e !== 'CANCEL',
    );
    const received = ['Inventory', 'Payment', 'Shipping'].flatMap((p) =>
      messagesOf(`orchestratorReceives${p}Events`),
    );
    assert.deepEqual(received.sort(), replies.sort());
  });

  it('describes every dead-letter header the consumers add', () => {
    const headers = (document.components.schemas.DeadLetterHeaders as { properties: Record<string, unknown> })
      .properties;
    assert.deepEqual(Object.keys(headers), deadLetterHeaderNames());
  });

  it('refuses to generate when the machine sends a command that no schema defines', () => {
    const graph = structuredClone(orderSagaGraph());
    const shipping = graph.states.find((s) => s.name === 'schedulingShipping');
    assert.ok(shipping);
    shipping.command = 'ShipByDrone';
    assert.throws(
      () => orderSagaAsyncApiOf(graph, orderSagaCompensations, schemaFiles()),
      /the saga sends ShipByDrone, no record of a topic it writes/,
    );
  });
});
