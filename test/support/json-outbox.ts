import { systemClock } from '../../lib/ids.ts';
import { Outbox } from '../../lib/outbox/outbox.ts';

/** The real outbox of `schema`, with JSON instead of Avro (no schema registry needed). */
export const jsonOutbox = (schema: string): Outbox =>
  new Outbox(schema, { encode: async (_type, payload) => Buffer.from(JSON.stringify(payload)) }, systemClock);
