import type { DeadLetterRecord } from './dead-letter-records.ts';

const columns = [
  'DLT P:OFFSET',
  'FAILED AT',
  'REASON',
  'SOURCE TOPIC/P@OFFSET',
  'KEY',
  'MESSAGE ID',
  'ERROR',
];

/**
 * `npm run dlt -- list`'s table: one line per letter, tab-separated columns (so `cut -f` works), the
 * error cut to 120 characters on one line; a last line with the count.
 */
export function formatDeadLetters(topic: string, records: readonly DeadLetterRecord[]): string {
  const lines = records.map((r) =>
    [
      `${r.partition}:${r.offset}`,
      r.failedAt,
      r.reason,
      `${r.source.topic}/${r.source.partition}@${r.source.offset}`,
      r.key ?? '-',
      r.messageId ?? '-',
      r.error.replace(/\s+/g, ' ').slice(0, 120),
    ].join('\t'),
  );
  const count = `${records.length} dead letter${records.length === 1 ? '' : 's'} in ${topic}`;
  return [columns.join('\t'), ...lines, count].join('\n');
}
