/**
 * Preloaded into every service by `npm run bench -- --heap-profile` (`node --import`): V8's sampling
 * heap profiler, counting the objects garbage collection has freed too — where a process allocates,
 * which is what its GC time follows (`node --heap-prof` keeps only the survivors). One sample per
 * 32 KiB on average. On SIGTERM or SIGINT the profile of the service's whole life goes to
 * `$BENCH_HEAP_PROFILE_DIR/<pid>.heapprofile` (support/profiles.ts summarises it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.BENCH_HEAP_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 32 * 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  const write = (): void => {
    // An in-process inspector session answers synchronously, before the service's own handler exits.
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error) throw new Error(`heap sampler: ${error.message}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${process.pid}.heapprofile`), JSON.stringify(result.profile));
    });
  };
  process.once('SIGTERM', write);
  process.once('SIGINT', write);
}
