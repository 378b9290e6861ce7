import pg from 'pg';
import { type SessionTimeouts, sessionOptions } from '../db/session-timeouts.ts';
import type { Logger } from '../logger.ts';
import { outboxChannelOf } from './outbox-channel.ts';
import type { RelayState } from './relay-state.ts';

/** Wait before opening the LISTEN connection again after it failed or was lost. */
const RELISTEN_AFTER_MS = 1_000;

export interface OutboxListenerOptions {
  databaseUrl: string;
  schema: string;
  /** Where the LISTEN connection is kept (`state.listener`, null while it is down). */
  state: RelayState;
  /** Called on every NOTIFY of another instance's commit, and once each time LISTEN starts. */
  onNotification: () => void;
  /** The connection's statement and lock timeouts (default: the environment's, session-timeouts.ts). */
  timeouts?: SessionTimeouts;
  logger: Logger;
}

/**
 * Keeps a LISTEN connection on the outbox channel open until the relay stops, opening it again a
 * second after it failed or was lost; meanwhile the relay's poll reads the table. Once listening it
 * wakes the relay to read the table: a commit may have gone unheard while it was down.
 */
export function listenForOutboxCommits(options: OutboxListenerOptions): void {
  const { state, onNotification, logger } = options;
  const channel = outboxChannelOf(options.schema);
  const listenLater = (): void => {
    setTimeout(() => void listen().catch(() => undefined), RELISTEN_AFTER_MS);
  };
  const listen = async (): Promise<void> => {
    if (state.stopped) return;
    const client = new pg.Client({
      connectionString: options.databaseUrl,
      options: sessionOptions(options.timeouts),
    });
    client.on('notification', onNotification);
    client.on('error', (error) => {
      logger.warn({ err: error }, 'outbox LISTEN connection lost; polling until it is back');
      state.listener = null;
      client.end().catch(() => undefined);
      listenLater();
    });
    try {
      await client.connect();
      await client.query(`listen ${channel}`);
      state.listener = client;
      onNotification();
    } catch (error) {
      logger.warn({ err: error }, 'outbox LISTEN failed; retrying in 1s');
      await client.end().catch(() => undefined);
      listenLater();
    }
  };
  void listen();
}
