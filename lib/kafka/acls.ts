import { type BaseTopic, baseTopics, deadLetterTopicOf } from './topics.ts';

/**
 * Least privilege on Kafka, as data: which topics each service's principal may write and read.
 * Each service writes only the topics it owns and reads only the ones it consumes; it also writes
 * the dead-letter topics of what it consumes (its consumer dead-letters there) and reads its own
 * consumer groups. Everything else is denied by the broker (allow.everyone.if.no.acl.found=false).
 */
export const kafkaServicePrincipals = [
  'orchestrator',
  'inventory',
  'payment',
  'shipping',
  'notifications',
] as const;
export type KafkaServicePrincipal = (typeof kafkaServicePrincipals)[number];

/** The principal of the tools (topics and ACLs, the tests' harness): a super user of the broker. */
export const kafkaAdminPrincipal = 'admin';

/**
 * The principal of `npm run dlt` (dead letters: list and replay, docs/operations.md): reads every
 * dead-letter topic a service writes, writes the topics those letters came from, nothing else.
 */
export const kafkaOperatorPrincipal = 'operator';

/**
 * The consumer groups of `npm run dlt -- list` (scripts/dlt/dead-letter-records.ts): a fresh one per
 * listing, `dlt-tool-<uuid>`, that commits nothing.
 */
export const dltToolGroupPrefix = 'dlt-tool-';

export type AclTopic = BaseTopic;
const auditEvents: AclTopic = baseTopics.auditEvents;

export interface TopicOwnership {
  writes: readonly AclTopic[];
  reads: readonly AclTopic[];
}

export const topicOwnership: Readonly<Record<KafkaServicePrincipal, TopicOwnership>> = {
  orchestrator: {
    writes: [
      baseTopics.inventoryCommands,
      baseTopics.paymentCommands,
      baseTopics.shippingCommands,
      baseTopics.orderEvents,
      auditEvents,
    ],
    reads: [baseTopics.inventoryEvents, baseTopics.paymentEvents, baseTopics.shippingEvents],
  },
  inventory: { writes: [baseTopics.inventoryEvents, auditEvents], reads: [baseTopics.inventoryCommands] },
  payment: { writes: [baseTopics.paymentEvents, auditEvents], reads: [baseTopics.paymentCommands] },
  shipping: { writes: [baseTopics.shippingEvents, auditEvents], reads: [baseTopics.shippingCommands] },
  // Tells customers about their orders (participants/notifications): publishes nothing but its dead letters.
  notifications: { writes: [], reads: [baseTopics.orderEvents] },
};

export type AclResourceType = 'TOPIC' | 'GROUP' | 'CLUSTER';
export type AclPatternType = 'LITERAL' | 'PREFIXED';
export type AclOperation = 'READ' | 'WRITE' | 'DESCRIBE' | 'ALL';

/** One ALLOW rule for any host. */
export interface KafkaAcl {
  principal: string;
  resourceType: AclResourceType;
  resourceName: string;
  patternType: AclPatternType;
  operation: AclOperation;
}

const user = (name: string): string => `User:${name}`;

/**
 * The ACLs of every service for a deployment whose topics carry `topicPrefix` (TOPIC_PREFIX): on
 * its topics, and on its consumer groups. WRITE and READ imply DESCRIBE (topic metadata, committed
 * offsets), and on Kafka 3+ WRITE on a topic also allows the idempotent producer's InitProducerId
 * (KIP-679): no cluster rights needed.
 */
export const serviceAcls = (topicPrefix: string): KafkaAcl[] => [
  ...serviceTopicAcls(topicPrefix),
  ...serviceGroupAcls(),
];

/** The ACLs on the topics of one prefix: what a test or bench run removes with its topics. */
export function serviceTopicAcls(topicPrefix: string): KafkaAcl[] {
  return kafkaServicePrincipals.flatMap((service) => {
    const { writes, reads } = topicOwnership[service];
    const topic = (name: string, operation: AclOperation): KafkaAcl => ({
      principal: user(service),
      resourceType: 'TOPIC',
      resourceName: name,
      patternType: 'LITERAL',
      operation,
    });
    return [
      ...writes.map((t) => topic(`${topicPrefix}${t}`, 'WRITE')),
      ...reads.map((t) => topic(`${topicPrefix}${t}`, 'READ')),
      ...reads.map((t) => topic(deadLetterTopicOf(`${topicPrefix}${t}`), 'WRITE')),
    ];
  });
}

/**
 * Each service reads the consumer groups whose id starts with its name (PREFIXED: group id =
 * `<service><KAFKA_GROUP_ID_SUFFIX>`). Shared by every topic prefix: never removed with a run's topics.
 */
export const serviceGroupAcls = (): KafkaAcl[] =>
  kafkaServicePrincipals.map((service) => ({
    principal: user(service),
    resourceType: 'GROUP',
    resourceName: service,
    patternType: 'PREFIXED',
    operation: 'READ',
  }));

/** The topics whose dead letters a replay may republish: the ones some service consumes. */
export const consumedTopics = (): AclTopic[] => [
  ...new Set(kafkaServicePrincipals.flatMap((service) => topicOwnership[service].reads)),
];

/**
 * The operator's ACLs on the topics of one prefix: READ on every dead-letter topic a service writes
 * (the DLTs of the consumed topics) and WRITE on those consumed topics, where a replay republishes a
 * letter. READ and WRITE imply DESCRIBE; no topic is created, no other topic is read or written
 * (`audit-events` neither: a replay is audited in the database of the consuming service, whose
 * outbox publishes the AuditRecorded).
 */
export function operatorTopicAcls(topicPrefix: string): KafkaAcl[] {
  const topic = (name: string, operation: AclOperation): KafkaAcl => ({
    principal: user(kafkaOperatorPrincipal),
    resourceType: 'TOPIC',
    resourceName: name,
    patternType: 'LITERAL',
    operation,
  });
  return consumedTopics().flatMap((t) => [
    topic(deadLetterTopicOf(`${topicPrefix}${t}`), 'READ'),
    topic(`${topicPrefix}${t}`, 'WRITE'),
  ]);
}

/** The operator's listing groups (`dlt-tool-<uuid>`, PREFIXED); shared by every topic prefix. */
export const operatorGroupAcls = (): KafkaAcl[] => [
  {
    principal: user(kafkaOperatorPrincipal),
    resourceType: 'GROUP',
    resourceName: dltToolGroupPrefix,
    patternType: 'PREFIXED',
    operation: 'READ',
  },
];

/**
 * The ACLs of every principal but the admin, for a deployment whose topics carry `topicPrefix`:
 * the services' and the operator's. What the stack, the tests, chaos and bench runs apply.
 */
export const clientAcls = (topicPrefix: string): KafkaAcl[] => [
  ...serviceAcls(topicPrefix),
  ...operatorTopicAcls(topicPrefix),
  ...operatorGroupAcls(),
];

/** Every principal's ACLs on the topics of one prefix: what a run removes with its topics. */
export const clientTopicAcls = (topicPrefix: string): KafkaAcl[] => [
  ...serviceTopicAcls(topicPrefix),
  ...operatorTopicAcls(topicPrefix),
];

/**
 * Bench only (`npm run stack -- up --plaintext-port`): the unauthenticated principal of the extra
 * PLAINTEXT listener gets what a build from before SASL does with it (create and delete its topics,
 * produce, consume, groups), so the previous commit can be measured against the same broker.
 */
export const anonymousBenchAcls = (): KafkaAcl[] =>
  (
    [
      ['TOPIC', '*'],
      ['GROUP', '*'],
      ['CLUSTER', 'kafka-cluster'],
    ] as const
  ).map(([resourceType, resourceName]) => ({
    principal: 'User:ANONYMOUS',
    resourceType,
    resourceName,
    patternType: 'LITERAL',
    operation: 'ALL',
  }));
