import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeKafkaAccessError, explainKafkaAccess, KafkaAccessError } from './kafka-access-errors.ts';
import type { KafkaSecurity } from './kafka-security.ts';

const inventory: KafkaSecurity = {
  sasl: { mechanism: 'scram-sha-512', username: 'inventory', password: 'x' },
  tls: null,
};
// shaped like kafkajs's errors (its classes are not named exports for an ES module)
const protocolError = (type: string): Error =>
  Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type });
const saslError = (message: string): Error =>
  Object.assign(new Error(message), { name: 'KafkaJSSASLAuthenticationError' });
const retriesExceeded = (cause: Error): Error =>
  Object.assign(new Error(cause.message), { name: 'KafkaJSNumberOfRetriesExceeded', cause });

test('a refused SASL login names the user and the variables', () => {
  const error = saslError('SASL SCRAM SHA512 authentication failed: invalid credentials');
  assert.equal(
    describeKafkaAccessError(error, inventory),
    "Kafka refused SASL authentication for user 'inventory' (KAFKA_USERNAME/KAFKA_PASSWORD, mechanism scram-sha-512): SASL SCRAM SHA512 authentication failed: invalid credentials",
  );
});

test('a topic refused names the principal, the operation and the topic, even wrapped by retries', () => {
  const wrapped = retriesExceeded(protocolError('TOPIC_AUTHORIZATION_FAILED'));
  assert.equal(
    describeKafkaAccessError(wrapped, inventory, { operation: 'WRITE', topics: ['payment-events'] }),
    "Kafka ACL: principal 'inventory' may not WRITE topic 'payment-events' (TOPIC_AUTHORIZATION_FAILED; ACLs: lib/kafka/acls.ts)",
  );
  assert.match(
    describeKafkaAccessError(protocolError('TOPIC_AUTHORIZATION_FAILED'), inventory, {
      operation: 'WRITE',
      topics: ['a', 'b'],
    }) ?? '',
    /may not WRITE one of the topics 'a', 'b'/,
  );
});

test('a group refused names the group; other errors are not access errors', () => {
  assert.match(
    describeKafkaAccessError(protocolError('GROUP_AUTHORIZATION_FAILED'), inventory, {
      operation: 'READ',
      topics: ['inventory-commands'],
      group: 'inventory-x',
    }) ?? '',
    /^Kafka ACL: principal 'inventory' may not READ consumer group 'inventory-x'/,
  );
  assert.equal(describeKafkaAccessError(new Error('connect ECONNREFUSED'), inventory), null);
  assert.equal(describeKafkaAccessError(protocolError('NOT_LEADER_OR_FOLLOWER'), inventory), null);
});

test('explainKafkaAccess turns a refusal into a KafkaAccessError and rethrows anything else as is', async () => {
  const refused = protocolError('TOPIC_AUTHORIZATION_FAILED');
  await assert.rejects(
    explainKafkaAccess(() => Promise.reject(refused), inventory, {
      operation: 'READ',
      topics: ['payment-commands'],
    }),
    (error: unknown) =>
      error instanceof KafkaAccessError &&
      error.cause === refused &&
      error.message.startsWith("Kafka ACL: principal 'inventory' may not READ topic 'payment-commands'"),
  );
  const other = new Error('connect ECONNREFUSED');
  await assert.rejects(
    explainKafkaAccess(() => Promise.reject(other), inventory),
    (error: unknown) => error === other,
  );
  assert.equal(await explainKafkaAccess(async () => 42, inventory), 42);
});
