/**
 * The other side of the bench's broker ceiling (support/echo-ceiling.ts), in its own process like a
 * participant: consumes ECHO_REQUESTS with the services' consumer settings and sends every batch
 * back to ECHO_REPLIES with their idempotent producer, one send per batch as the outbox relay does.
 * Prints `ready` once it joined its group, then runs until SIGTERM.
 */
import { echoClients, echoConsumerRun } from './support/echo-ceiling.ts';

const { ECHO_REQUESTS: requests = '', ECHO_REPLIES: replies = '', ECHO_GROUP: groupId = '' } = process.env;
if (!requests || !replies || !groupId) {
  process.stderr.write('echo-responder needs ECHO_REQUESTS, ECHO_REPLIES and ECHO_GROUP\n');
  process.exit(2);
}
const { producer, consumer } = echoClients('bench-echo-responder', groupId);
await producer.connect();
await consumer.connect();
await consumer.subscribe({ topics: [requests], fromBeginning: true });
consumer.on(consumer.events.GROUP_JOIN, () => process.stdout.write('ready\n'));
await consumer.run(
  echoConsumerRun(async (messages) => {
    const echoed = messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers }));
    await producer.send({ topic: replies, acks: -1, messages: echoed });
  }),
);
process.once('SIGTERM', () => {
  void Promise.allSettled([consumer.disconnect(), producer.disconnect()]).then(() => process.exit(0));
});
