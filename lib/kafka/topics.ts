import { type RecordName, recordTopics } from '../contracts/generated.ts';

/**
 * Every Kafka topic the system uses, in one place. Message key = order id on every topic but
 * `audit-events`, whose key is the audited target (`order:<id>`, `faults:<service>`, `sku:<sku>`).
 * Contracts live in `schemas/<topic>/<Record>.avsc`: the folder name is the (base) topic.
 *
 * `TOPIC_PREFIX` (default empty) puts a whole deployment on its own set of topics, e.g. `t1.` gives
 * `t1.inventory-commands`: test runs, the chaos run and benchmarks use it so that they never see
 * another system's messages. Registry subjects keep the base topic name (the contract is the same).
 */
export const baseTopics = {
  inventoryCommands: 'inventory-commands',
  inventoryEvents: 'inventory-events',
  paymentCommands: 'payment-commands',
  paymentEvents: 'payment-events',
  shippingCommands: 'shipping-commands',
  shippingEvents: 'shipping-events',
  orderEvents: 'order-events',
  /** Operator actions (AuditRecorded), written by every service; nothing consumes it yet. */
  auditEvents: 'audit-events',
} as const;

export type BaseTopic = (typeof baseTopics)[keyof typeof baseTopics];

/** Base topic names (the folders of `schemas/`). */
export const businessTopics: readonly BaseTopic[] = Object.values(baseTopics);

const readPrefix = (): string => {
  const prefix = (process.env.TOPIC_PREFIX ?? '').trim();
  if (!/^[A-Za-z0-9._-]*$/.test(prefix)) {
    throw new Error(
      `TOPIC_PREFIX=${JSON.stringify(prefix)} may only contain letters, digits, '.', '_' and '-'`,
    );
  }
  return prefix;
};

export const topicPrefix: string = readPrefix();

/** The deployed name of a base topic. */
export const deployedTopic = (topic: BaseTopic): string => `${topicPrefix}${topic}`;

/** Deployed topic names, e.g. `Topics.inventoryCommands`. */
export const Topics = Object.fromEntries(
  Object.entries(baseTopics).map(([key, topic]) => [key, deployedTopic(topic)]),
) as { readonly [K in keyof typeof baseTopics]: string };

/** The deployed topic a record is published to. */
export const topicOfRecord = (type: RecordName): string => deployedTopic(recordTopics[type]);

/** Dead-letter topic of a topic: messages that cannot be decoded or handled, with the reason in headers. */
export const deadLetterTopicOf = (topic: string): string => `${topic}-dlt`;

/** Every topic a deployment with this prefix uses: business topics and their dead-letter topics. */
export const topicsWithPrefix = (prefix: string): string[] =>
  businessTopics.flatMap((t) => [`${prefix}${t}`, deadLetterTopicOf(`${prefix}${t}`)]);

/** Every topic this deployment (TOPIC_PREFIX) creates. */
export const allTopics = (): string[] => topicsWithPrefix(topicPrefix);
