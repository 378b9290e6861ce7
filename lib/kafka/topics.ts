/**
 * Every Kafka topic the system uses, in one place. Message key = order id on every topic.
 * Contracts live in `schemas/<topic>/<Record>.avsc`: the folder name is the topic.
 */
export const Topics = {
  inventoryCommands: 'inventory-commands',
  inventoryEvents: 'inventory-events',
  paymentCommands: 'payment-commands',
  paymentEvents: 'payment-events',
  shippingCommands: 'shipping-commands',
  shippingEvents: 'shipping-events',
  orderEvents: 'order-events',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export const businessTopics: readonly TopicName[] = Object.values(Topics);

/** Dead-letter topic of a topic: messages that cannot be decoded or handled, with the reason in headers. */
export const deadLetterTopicOf = (topic: string): string => `${topic}-dlt`;

/** Every topic the project creates: business topics and their dead-letter topics. */
export const allTopics = (): string[] => businessTopics.flatMap((t) => [t, deadLetterTopicOf(t)]);
