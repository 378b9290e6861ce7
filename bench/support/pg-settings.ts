/**
 * The Postgres server settings a run's figures depend on, recorded with the results and named in
 * the footer. The one that matters most on the development machine: its server runs with
 * autovacuum off, so during a run only the outboxes are vacuumed (by their relays,
 * lib/outbox/outbox-vacuum.ts) and every other table keeps its dead row versions.
 */

import type { Queryable } from './queryable.ts';

export const recordedSettings = [
  'server_version',
  'autovacuum',
  'shared_buffers',
  'max_wal_size',
  'synchronous_commit',
  'fsync',
  'full_page_writes',
  'wal_compression',
] as const;

export type ServerSettings = Partial<Record<(typeof recordedSettings)[number], string>>;

/** Each recorded setting as the server shows it (with its unit: "128MB"); one it lacks is left out. */
export async function readServerSettings(client: Queryable): Promise<ServerSettings> {
  const { rows } = await client.query<{ name: string; value: string | null }>(
    'select name, current_setting(name, true) as value from unnest($1::text[]) as name',
    [recordedSettings],
  );
  const settings: ServerSettings = {};
  for (const { name, value } of rows)
    if (value !== null && (recordedSettings as readonly string[]).includes(name))
      settings[name as (typeof recordedSettings)[number]] = value;
  return settings;
}

/** The footer's line, or null when nothing was read (not a Postgres the bench could query). */
export function formatServerSettings(settings: ServerSettings | null | undefined): string | null {
  if (!settings || Object.keys(settings).length === 0) return null;
  const shown = recordedSettings
    .filter((name) => settings[name] !== undefined)
    .map((name) => `${name} ${settings[name]}`)
    .join(', ');
  const note =
    settings.autovacuum === 'off'
      ? '; with autovacuum off only the outboxes are vacuumed during the run (by their relays), the other tables keep their dead rows'
      : '';
  return `Postgres server: ${shown}${note}`;
}
