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
