import type { Knex } from 'knex';

/**
 * The row-count guard of a write batch (lib/db/write-batch.ts), checked inside the statement: the
 * batch is sent together with COMMIT (pipelined), so a write that touched the wrong number of rows
 * must abort the transaction on the server, before the commit, not be noticed by the client after it.
 * Raises SQLSTATE WB001 with `write_index,touched` in the detail; returns `touched` otherwise.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create or replace function public.write_batch_expect(write_index int, touched bigint, expected bigint)
    returns bigint language plpgsql as $$
    begin
      if touched is distinct from expected then
        raise exception 'write % of the batch touched % rows, expected %', write_index, touched, expected
          using errcode = 'WB001', detail = write_index || ',' || touched;
      end if;
      return touched;
    end $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function if exists public.write_batch_expect(int, bigint, bigint)');
}
