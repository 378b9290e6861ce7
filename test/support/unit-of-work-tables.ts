/**
 * A throwaway database for the unit-of-work specs (test/lib/db/unit-of-work-*.int.spec.ts), with
 * their two tables: wb_parent, holding row 100 ('locked by a read'), and wb_child referencing it.
 */
import { createThrowawayDatabase, type ThrowawayDatabase } from './throwaway-database.ts';

export async function createUnitOfWorkDatabase(): Promise<ThrowawayDatabase> {
  const database = await createThrowawayDatabase({ poolMax: 4 });
  await database.db.raw('create table wb_parent (id int primary key, note text)');
  await database.db.raw(
    'create table wb_child (id int primary key, parent int not null references wb_parent (id))',
  );
  await database.db('wb_parent').insert({ id: 100, note: 'locked by a read' });
  return database;
}
