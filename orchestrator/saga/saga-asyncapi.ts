/**
 * The AsyncAPI document of the system (lib/contracts/asyncapi-document.ts) with what only the order
 * saga machine knows, read from its graph (saga-graph.ts): which commands the orchestrator sends and
 * in which state, which replies move a saga and where to, which lifecycle events it publishes. The
 * graph and the declared compensations are embedded as `x-order-saga-graph` and
 * `x-order-saga-compensations`, the same export a state chart reads.
 */
import type { MessageNotes } from '../../lib/contracts/asyncapi-components.ts';
import { buildAsyncApiDocument } from '../../lib/contracts/asyncapi-document.ts';
import { type SchemaFile, schemaFiles } from '../../lib/contracts/schema-files.ts';
import { type KafkaServicePrincipal, topicOwnership } from '../../lib/kafka/acls.ts';
import type { BaseTopic } from '../../lib/kafka/topics.ts';
import { orderSagaCompensations, type StepCompensation } from './saga-compensations.ts';
import { orderSagaGraph, type SagaGraph, type SagaGraphTransition } from './saga-graph.ts';

/** What the saga does with each record it sends, accepts or publishes. */
export interface SagaMessages {
  commands: string[];
  replies: string[];
  lifecycle: string[];
  /** Events of the machine that are no messages (the runner's deadline, the operator's retry). */
  internal: string[];
}

export function sagaMessagesOf(graph: SagaGraph, records: ReadonlySet<string>): SagaMessages {
  const unique = (names: string[]) => [...new Set(names)];
  const events = unique(graph.transitions.map((t) => t.event));
  return {
    commands: unique(graph.states.flatMap((s) => (s.command === null ? [] : [s.command]))),
    replies: events.filter((e) => records.has(e)),
    lifecycle: unique([...graph.publishesOnStart, ...graph.states.flatMap((s) => s.publishes)]),
    internal: events.filter((e) => !records.has(e)),
  };
}

const code = (name: string): string => `\`${name}\``;

function transitionNote(t: SagaGraphTransition, previous: SagaGraphTransition | undefined): string {
  const reason = t.actions.find((a) => a.type === 'compensate')?.params?.reason;
  const condition = t.guard !== null ? ` if ${t.guard}` : previous?.guard ? ' otherwise' : '';
  const cancel = typeof reason === 'string' ? ` (cancel reason ${reason})` : '';
  return `${code(t.from)} → ${code(t.to)}${condition}${cancel}`;
}

/** Notes on each record from the saga's graph and its declared compensations. */
export function sagaMessageNotes(graph: SagaGraph, compensations: readonly StepCompensation[]): MessageNotes {
  const notes: MessageNotes = {};
  for (const state of graph.states) {
    if (state.command === null) continue;
    const forward = compensations.find((c) => c.step === state.name);
    const undoes = compensations.find((c) => c.compensation.state === state.name);
    const role = forward
      ? `a forward step, undone by ${forward.compensation.command}`
      : undoes
        ? `a compensation, undoing ${undoes.command}`
        : 'a step';
    notes[state.command] =
      `The order saga sends it on entering ${code(state.name)} (${role}), and again, with the same message id, after each deadline while attempts are left.`;
  }
  for (const event of new Set(graph.transitions.map((t) => t.event))) {
    const moves = graph.transitions.filter((t) => t.event === event);
    notes[event] =
      `Moves an order saga, as the reply to its current step's command (causation-id): ${moves.map((t, i) => transitionNote(t, moves[i - 1])).join('; ')}.`;
  }
  for (const event of graph.publishesOnStart)
    notes[event] = 'Published by the orchestrator when an order saga starts.';
  for (const state of graph.states) {
    for (const event of state.publishes)
      notes[event] = `Published by the orchestrator when an order saga enters ${code(state.name)}.`;
  }
  return notes;
}

/** Which records the orchestrator sends and receives, by topic; throws where the machine and the schemas disagree. */
function orchestratorRecords(messages: SagaMessages, schemas: readonly SchemaFile[]) {
  const { writes, reads } = topicOwnership.orchestrator;
  const topicOf = (name: string) => schemas.find((s) => s.name === name)?.topic as BaseTopic | undefined;
  const misplaced = (names: string[], topics: readonly BaseTopic[]) =>
    names.filter((name) => {
      const topic = topicOf(name);
      return topic === undefined || !topics.includes(topic);
    });
  const problems = [
    ...misplaced(messages.commands, writes).map((n) => `the saga sends ${n}, no record of a topic it writes`),
    ...misplaced(messages.lifecycle, writes).map(
      (n) => `the saga publishes ${n}, no record of a topic it writes`,
    ),
    ...misplaced(messages.replies, reads).map((n) => `the saga accepts ${n}, no record of a topic it reads`),
  ];
  if (problems.length > 0) throw new Error(`AsyncAPI: ${problems.join('; ')}`);
  return (
    service: KafkaServicePrincipal,
    action: 'send' | 'receive',
    topic: BaseTopic,
  ): string[] | undefined => {
    if (service !== 'orchestrator') return undefined;
    const onTopic = (names: string[]) => names.filter((n) => topicOf(n) === topic);
    if (action === 'receive') return onTopic(messages.replies);
    const commands = onTopic(messages.commands);
    return commands.length > 0 ? commands : undefined;
  };
}

export function orderSagaAsyncApiOf(
  graph: SagaGraph,
  compensations: readonly StepCompensation[],
  schemas: readonly SchemaFile[],
): Record<string, unknown> {
  const messages = sagaMessagesOf(graph, new Set(schemas.map((s) => s.name)));
  return buildAsyncApiDocument({
    title: 'Order saga messages',
    version: '0.1.0',
    description: [
      'Every message of the order saga system, generated by `npm run gen:asyncapi` from `schemas/` (the Avro payloads), lib/kafka/topics.ts and lib/kafka/acls.ts (the channels, who sends and who receives) and the order saga machine (which commands the orchestrator sends, which replies move a saga). The orchestrator serves the same document at `GET /asyncapi.json`.',
      'A message is one Avro record in the Confluent wire format; its registry subject is `<topic>-<record full name>`, BACKWARD compatible. Its key is the order id (the audited target on audit-events), so an order’s messages stay in order on one partition.',
      `The saga's other events are not messages: ${messages.internal.map(code).join(', ')}.`,
    ].join('\n\n'),
    schemas,
    ownership: topicOwnership,
    recordsOf: orchestratorRecords(messages, schemas),
    notes: sagaMessageNotes(graph, compensations),
    extensions: { 'x-order-saga-graph': graph, 'x-order-saga-compensations': compensations },
  });
}

let cached: Record<string, unknown> | undefined;

/** The system's AsyncAPI document (computed once). */
export function orderSagaAsyncApi(): Record<string, unknown> {
  cached ??= orderSagaAsyncApiOf(orderSagaGraph(), orderSagaCompensations, schemaFiles());
  return cached;
}
