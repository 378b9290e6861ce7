import { type Admin, Kafka, logLevel } from 'kafkajs';
import { describeKafkaAccessError } from './kafka-access-errors.ts';
import { type KafkaConnection, kafkajsSecurityOptions } from './kafka-security.ts';
import { applyKafkajsPatches } from './kafkajs-patches/index.ts';

applyKafkajsPatches();

/**
 * Runs `work` with a short-lived Kafka admin client (a new connection each time: the broker may have
 * been restarted since the last one). A broker that does not answer is reported in one clear line.
 */
export async function withKafkaAdmin<T>(
  { brokers, security }: KafkaConnection,
  clientId: string,
  work: (admin: Admin) => Promise<T>,
): Promise<T> {
  const kafka = new Kafka({
    clientId,
    brokers: [...brokers],
    ...kafkajsSecurityOptions(security),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 3, initialRetryTime: 200 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error) {
    const access = describeKafkaAccessError(error, security);
    throw new Error(
      access ??
        `Kafka is not reachable at ${brokers.join(',')}: ${(error as Error).message}. Start the stack: npm run stack -- up`,
      { cause: error },
    );
  }
  try {
    return await work(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
