/**
 * Preloaded into every service by `npm run bench -- --heap-profile` (`node --import`): V8's sampling
 * heap profiler, counting the objects garbage collection has already freed too — where a process
 * allocates, which is what its GC time follows (`node --heap-prof` keeps only the survivors). One
 * sample per 32 KiB allocated on average. When the service is told to stop (SIGTERM or SIGINT) the
 * profile goes to `$BENCH_HEAP_PROFILE_DIR/<pid>.heapprofile`; it covers the service's whole life,
 * start-up and warm-up included. `bench/heap-summary.ts` reads it.
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
  let written = false;
  const write = (): void => {
    if (written) return;
    written = true;
    // An in-process inspector session answers synchronously, before the service's own handler exits.
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error) {
        console.error(`heap sampler: ${error.message}`);
        return;
      }
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${process.pid}.heapprofile`), JSON.stringify(result.profile));
    });
  };
  process.once('SIGTERM', write);
  process.once('SIGINT', write);
}
