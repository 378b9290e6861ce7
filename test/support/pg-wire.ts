import pg from 'pg';

/**
 * Records, in order, when each statement was sent and when its answer came back (`events`: first
 * word of the SQL) and the text of every statement sent (`sent`), for every node-postgres client in
 * this process.
 */
export function recordWire(): { events: string[]; sent: string[]; stop(): void } {
  const events: string[] = [];
  const sent: string[] = [];
  const original = pg.Client.prototype.query;
  const textOf = (query: unknown) =>
    String(typeof query === 'string' ? query : ((query as { text?: string }).text ?? '')).trim();
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const text = textOf(args[0]);
    const name = text.split(/\s/)[0]?.toLowerCase();
    sent.push(text);
    events.push(`sent ${name}`);
    const result = (original as (...a: unknown[]) => unknown).apply(this, args);
    if (result instanceof Promise) {
      void result.then(
        () => events.push(`done ${name}`),
        () => events.push(`failed ${name}`),
      );
    }
    return result;
  } as typeof original;
  return {
    events,
    sent,
    stop: () => {
      pg.Client.prototype.query = original;
    },
  };
}
