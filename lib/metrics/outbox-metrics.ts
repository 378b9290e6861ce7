import type { Knex } from 'knex';
import { Gauge, type Registry } from 'prom-client';
import { HeaderNames } from '../messaging/headers.ts';
import type { OutboxRow } from '../outbox/outbox-batch.ts';
import type { OutboxPublishObserver } from '../outbox/relay-publish.ts';
import { FastHistogram } from './fast-histogram.ts';
import { orNaN } from './scrape-reads.ts';

/**
 * `outbox_backlog_rows` (rows in the service's outbox, counted when scraped: nothing on the hot
 * path) and `outbox_publish_seconds` (from a row's `occurred-at`, set in the transaction that
 * committed it, to the broker's acknowledgement; observed once per produce request, for its
 * oldest row).
 */
export function createOutboxMetrics(
  registry: Registry,
  countBacklog: () => Promise<number>,
): OutboxPublishObserver {
  new Gauge({
    name: 'outbox_backlog_rows',
    help: 'Rows in the outbox: committed, not yet published (or published and not yet deleted)',
    registers: [registry],
    async collect() {
      this.set(await orNaN(countBacklog));
    },
  });
  const publish = new FastHistogram({
    name: 'outbox_publish_seconds',
    help: 'From commit (the oldest row of a produce request) to its acknowledgement by Kafka',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    published(rows: readonly OutboxRow[], ackedAtMs: number) {
      const occurredAt = rows[0]?.headers[HeaderNames.occurredAt];
      if (occurredAt === undefined) return;
      const committedAtMs = Date.parse(occurredAt);
      if (Number.isFinite(committedAtMs)) publish.observe(Math.max(0, ackedAtMs - committedAtMs) / 1_000);
    },
  };
}

/** Rows in a service's outbox (`<schema>.outbox`), for `outbox_backlog_rows`. */
export async function countOutboxRows(db: Knex, schema: string): Promise<number> {
  const [row] = await db(`${schema}.outbox`).count<{ rows: string | number }[]>({ rows: '*' });
  return Number(row?.rows ?? 0);
}
