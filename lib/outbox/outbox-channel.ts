/** The Postgres NOTIFY channel of a service's outbox: a commit that wrote rows wakes the relay on it. */
export const outboxChannelOf = (schema: string): string => `${schema}_outbox`;
