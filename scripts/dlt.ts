/** `npm run dlt -- list|replay <dlt-topic> …`: dead-letter operations (scripts/dlt/dlt-command.ts). */
import '../lib/kafka/kafkajs-patches/index.ts';
import { KafkaAccessError } from '../lib/kafka/kafka-access-errors.ts';
import { runDlt } from './dlt/dlt-command.ts';
import { DltUsageError } from './dlt/replay-dead-letters.ts';

try {
  await runDlt(process.argv.slice(2), (line) => console.log(line));
  process.exit(0);
} catch (error) {
  const usage = error instanceof DltUsageError;
  // a usage error or a refusal by Kafka (credentials, ACLs) says it all in one line
  const oneLine = usage || error instanceof KafkaAccessError;
  console.error(
    oneLine ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error),
  );
  process.exit(usage ? 2 : 1);
}
