/**
 * The system's message contract as an AsyncAPI 3.0 document, generated from the code: every topic
 * of lib/kafka/topics.ts as a channel with the records of `schemas/<topic>/` as its messages, which
 * service sends and which receives each (lib/kafka/acls.ts), the dead-letter channels, and the
 * brokers' SASL schemes. Pure: the caller adds what only the application knows (which records its
 * saga sends and accepts, and notes on them). Served at `GET /asyncapi.json` and committed as
 * `docs/asyncapi.yaml` (`npm run gen:asyncapi`).
 */
import type { KafkaServicePrincipal, TopicOwnership } from '../kafka/acls.ts';
import { type KafkaSaslMechanism, kafkaSaslMechanisms } from '../kafka/kafka-security.ts';
import { type BaseTopic, baseTopics, deadLetterTopicOf } from '../kafka/topics.ts';
import { asyncApiComponents, type MessageNotes } from './asyncapi-components.ts';
import type { SchemaFile } from './schema-files.ts';

export interface AsyncApiInput {
  title: string;
  version: string;
  description: string;
  schemas: readonly SchemaFile[];
  /** Which topics each service writes and reads. */
  ownership: Readonly<Record<KafkaServicePrincipal, TopicOwnership>>;
  /**
   * The records a service sends or receives on a topic, when not every record of the topic (e.g. the
   * commands the saga machine sends); undefined: all of them.
   */
  recordsOf?: (
    service: KafkaServicePrincipal,
    action: 'send' | 'receive',
    topic: BaseTopic,
  ) => string[] | undefined;
  notes: MessageNotes;
  /** Specification extensions (`x-…`) at the document's root. */
  extensions: Record<`x-${string}`, unknown>;
}

const topicEntries = Object.entries(baseTopics) as [keyof typeof baseTopics, BaseTopic][];

const channelKeyOf = (topic: BaseTopic): string => {
  const entry = topicEntries.find(([, t]) => t === topic);
  if (entry === undefined) throw new Error(`AsyncAPI: ${topic} is not a topic of lib/kafka/topics.ts`);
  return entry[0];
};
const deadLetterKeyOf = (topic: BaseTopic): string => `${channelKeyOf(topic)}DeadLetters`;
const pascal = (key: string): string => key.charAt(0).toUpperCase() + key.slice(1);

/** Every topic carries order messages keyed by order id, but audit-events (keyed by the audited target). */
const isOrderKeyed = (topic: string): boolean => topic !== baseTopics.auditEvents;

const saslSchemeOf = (mechanism: KafkaSaslMechanism) => {
  switch (mechanism) {
    case 'scram-sha-512':
      return { key: 'saslScramSha512', type: 'scramSha512' } as const;
    case 'scram-sha-256':
      return { key: 'saslScramSha256', type: 'scramSha256' } as const;
    case 'plain':
      return { key: 'saslPlain', type: 'plain' } as const;
    default: {
      const unknown: never = mechanism;
      throw new Error(`AsyncAPI: unknown SASL mechanism ${String(unknown)}`);
    }
  }
};

function securitySchemes() {
  return Object.fromEntries(
    kafkaSaslMechanisms.map((mechanism, i) => {
      const { key, type } = saslSchemeOf(mechanism);
      const choice = i === 0 ? ' (the default)' : '';
      return [
        key,
        {
          type,
          description: `SASL ${mechanism.toUpperCase()}${choice}, KAFKA_SASL_MECHANISM=${mechanism}: each service logs in as its own principal, which the broker's ACLs limit to the topics below.`,
        },
      ];
    }),
  );
}

function servers() {
  const security = kafkaSaslMechanisms.map((m) => ({
    $ref: `#/components/securitySchemes/${saslSchemeOf(m).key}`,
  }));
  const server = (protocol: 'kafka' | 'kafka-secure', description: string) => ({
    host: '{brokers}',
    protocol,
    description,
    variables: { brokers: { default: '127.0.0.1:9092', description: 'KAFKA_BROKERS (the first broker)' } },
    security,
    bindings: {
      kafka: {
        schemaRegistryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
        schemaRegistryVendor: 'confluent',
        bindingVersion: '0.5.0',
      },
    },
  });
  return {
    saslPlaintext: server(
      'kafka',
      'SASL_PLAINTEXT (the default). Schemas: the Confluent-compatible API of SCHEMA_REGISTRY_URL.',
    ),
    saslSsl: server('kafka-secure', 'SASL_SSL (KAFKA_SSL=true; KAFKA_SSL_CA_FILE for a private CA).'),
  };
}

const readersOf = (input: AsyncApiInput, topic: BaseTopic): KafkaServicePrincipal[] =>
  (Object.keys(input.ownership) as KafkaServicePrincipal[]).filter((s) =>
    input.ownership[s].reads.includes(topic),
  );
const writersOf = (input: AsyncApiInput, topic: BaseTopic): KafkaServicePrincipal[] =>
  (Object.keys(input.ownership) as KafkaServicePrincipal[]).filter((s) =>
    input.ownership[s].writes.includes(topic),
  );
const listed = (services: readonly string[]): string =>
  services.length === 0 ? 'nobody yet' : services.join(', ');

function channels(input: AsyncApiInput) {
  const out: Record<string, unknown> = {};
  for (const [key, topic] of topicEntries) {
    const records = input.schemas.filter((s) => s.topic === topic);
    out[key] = {
      address: topic,
      title: topic,
      description: `Written by ${listed(writersOf(input, topic))}; read by ${listed(readersOf(input, topic))}. A deployment with TOPIC_PREFIX uses \`<prefix>${topic}\`.`,
      messages: Object.fromEntries(records.map((r) => [r.name, { $ref: `#/components/messages/${r.name}` }])),
    };
    if (readersOf(input, topic).length > 0) {
      out[deadLetterKeyOf(topic)] = {
        address: deadLetterTopicOf(topic),
        title: deadLetterTopicOf(topic),
        description: `Messages of ${topic} that a consumer could not decode or handle; nothing reads them but operators.`,
        messages: { DeadLetter: { $ref: '#/components/messages/DeadLetter' } },
      };
    }
  }
  return out;
}

interface OperationPlan {
  /** `Sends`, `Receives` or `DeadLetters`: the operation's id is `<service><verb><topic key>`. */
  verb: string;
  action: 'send' | 'receive';
  topic: BaseTopic;
  channelKey: string;
  messages: readonly string[];
  summary: string;
}

function operations(input: AsyncApiInput) {
  const out: Record<string, unknown> = {};
  for (const service of Object.keys(input.ownership) as KafkaServicePrincipal[]) {
    const { writes, reads } = input.ownership[service];
    const recordsOn = (action: 'send' | 'receive', topic: BaseTopic): string[] => {
      const all = input.schemas.filter((s) => s.topic === topic).map((s) => s.name);
      const chosen = input.recordsOf?.(service, action, topic) ?? all;
      const unknown = chosen.filter((name) => !all.includes(name));
      if (unknown.length > 0)
        throw new Error(`AsyncAPI: ${service} ${action}s ${unknown.join(', ')}, not records of ${topic}`);
      return all.filter((name) => chosen.includes(name));
    };
    const plans: OperationPlan[] = [
      ...writes.map((topic) => ({
        verb: 'Sends',
        action: 'send' as const,
        topic,
        channelKey: channelKeyOf(topic),
        messages: recordsOn('send', topic),
        summary: `sends to ${topic}`,
      })),
      ...reads.flatMap((topic) => [
        {
          verb: 'Receives',
          action: 'receive' as const,
          topic,
          channelKey: channelKeyOf(topic),
          messages: recordsOn('receive', topic),
          summary: `consumes ${topic}`,
        },
        {
          verb: 'DeadLetters',
          action: 'send' as const,
          topic,
          channelKey: deadLetterKeyOf(topic),
          messages: ['DeadLetter'],
          summary: `dead-letters what it cannot consume from ${topic}`,
        },
      ]),
    ];
    for (const plan of plans) {
      out[`${service}${plan.verb}${pascal(channelKeyOf(plan.topic))}`] = {
        action: plan.action,
        channel: { $ref: `#/channels/${plan.channelKey}` },
        summary: `${service} ${plan.summary}`,
        tags: [{ name: service }],
        messages: plan.messages.map((m) => ({ $ref: `#/channels/${plan.channelKey}/messages/${m}` })),
      };
    }
  }
  return out;
}

/** The AsyncAPI 3.0 document of the system's messages. */
export function buildAsyncApiDocument(input: AsyncApiInput): Record<string, unknown> {
  return {
    asyncapi: '3.0.0',
    info: { title: input.title, version: input.version, description: input.description },
    defaultContentType: 'avro/binary',
    servers: servers(),
    channels: channels(input),
    operations: operations(input),
    components: {
      ...asyncApiComponents(input.schemas, isOrderKeyed, input.notes),
      securitySchemes: securitySchemes(),
    },
    ...input.extensions,
  };
}
