/** `npm run dlt -- list|replay <dlt-topic> …`: dead-letter operations (scripts/dlt/dlt-command.ts). */
import '../lib/kafka/kafkajs-patches/index.ts';
import { runDlt } from './dlt/dlt-command.ts';
import { DltUsageError } from './dlt/replay-dead-letters.ts';

try {
  await runDlt(process.argv.slice(2), (line) => console.log(line));
  process.exit(0);
} catch (error) {
  const usage = error instanceof DltUsageError;
  console.error(
    usage ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error),
  );
  process.exit(usage ? 2 : 1);
}
