import { randomUUID } from 'node:crypto';
import type { RecordName } from '../../lib/contracts/generated.ts';
import { toHeaders } from '../../lib/messaging/headers.ts';

/** A Kafka message of this project's shape (UUID key, six headers, a 120-byte body), for the Kafka specs and microbenchmarks. */
export function projectMessage(recordType: RecordName): {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
} {
  const orderId = randomUUID();
  return {
    key: orderId,
    value: Buffer.alloc(120, 7),
    headers: toHeaders({
      messageId: randomUUID(),
      orderId,
      correlationId: orderId,
      causationId: randomUUID(),
      recordType,
      occurredAt: new Date().toISOString(),
    }),
  };
}
