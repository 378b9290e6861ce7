import type { UnitOfWork, UnitOfWorkRunner } from '../../lib/db/unit-of-work.ts';

/** The same units of work (real transactions), counting the reads the work runs in them. */
export function countingReads(units: UnitOfWorkRunner): {
  units: UnitOfWorkRunner;
  counter: { reads: number };
} {
  const counter = { reads: 0 };
  const counted: UnitOfWorkRunner = {
    run: (work) =>
      units.run((unit) => {
        const countedUnit: UnitOfWork = {
          read: (query) => {
            counter.reads += 1;
            return unit.read(query);
          },
          writes: unit.writes,
          afterCommit: (callback) => unit.afterCommit(callback),
        };
        return work(countedUnit);
      }),
    close: () => units.close(),
  };
  return { units: counted, counter };
}
