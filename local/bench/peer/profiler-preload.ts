/**
 * Loaded into the serverless-offline process (`node --require <this, bundled>`) when the benchmark
 * profiles: SIGUSR2 starts sampling every thread of the process, the next SIGUSR2 stops and writes the
 * profiles to `PEER_PROFILE_DIR`, so only the measured requests are sampled, not the server's start.
 */
import * as fs from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import {
  markerFile,
  PROFILE_DIR_VARIABLE,
  PROFILE_LABEL_VARIABLE,
  ThreadProfiler,
  writeProfiles,
} from './thread-profiler';

const dir = process.env[PROFILE_DIR_VARIABLE];
const label = process.env[PROFILE_LABEL_VARIABLE] ?? 'peer';
// Signals reach the main thread only; the preload may run in workers too (they inherit execArgv).
if (isMainThread && dir !== undefined) {
  let running: ThreadProfiler | undefined;
  process.on('SIGUSR2', () => {
    if (running === undefined) {
      const profiler = new ThreadProfiler();
      running = profiler;
      void profiler.start().then(() => fs.writeFileSync(markerFile(dir, label, 'started'), ''));
      return;
    }
    const profiler = running;
    running = undefined;
    void profiler.stop().then((profiles) => {
      writeProfiles(dir, label, profiles);
      fs.writeFileSync(markerFile(dir, label, 'written'), '');
    });
  });
}
