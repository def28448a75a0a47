// Preloaded (`node --require`) into a benchmarked service by bench/profile/allocations.mjs. The
// first SIGWINCH starts V8's sampling heap profiler, keeping the samples of objects the garbage
// collector has since freed (all of them, or with ALLOCATIONS_PROMOTED_ONLY=1 only those freed by
// a full collection: what outlived the young generation); the second writes the profile to
// ALLOCATION_PROFILE_FILE, whole (written beside it, then renamed); later ones do nothing.
// SIGWINCH, because Nest's shutdown hooks take SIGUSR2.
const { renameSync, writeFileSync } = require('node:fs');
const { Session } = require('node:inspector');

const session = new Session();
session.connect();
let state = 'idle';
process.on('SIGWINCH', () => {
  if (state === 'idle') {
    state = 'sampling';
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: process.env.ALLOCATIONS_PROMOTED_ONLY !== '1',
    });
    return;
  }
  if (state !== 'sampling') return;
  state = 'done';
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) throw error;
    const file = process.env.ALLOCATION_PROFILE_FILE;
    writeFileSync(`${file}.partial`, JSON.stringify(result.profile));
    renameSync(`${file}.partial`, file);
  });
});
