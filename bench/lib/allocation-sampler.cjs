// Preloaded (`node --require`) into a benchmarked service by bench/profile/allocations.mjs. The
// first SIGWINCH starts V8's sampling heap profiler, keeping the samples of objects the garbage
// collector has since freed (all of them, or with ALLOCATIONS_PROMOTED_ONLY=1 only those freed by
// a full collection: what outlived the young generation); the second writes the profile to
// ALLOCATION_PROFILE_FILE. SIGWINCH, because Nest's shutdown hooks take SIGUSR2.
const { writeFileSync } = require('node:fs');
const { Session } = require('node:inspector');

const session = new Session();
session.connect();
let sampling = false;
process.on('SIGWINCH', () => {
  if (!sampling) {
    sampling = true;
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: process.env.ALLOCATIONS_PROMOTED_ONLY !== '1',
    });
    return;
  }
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) throw error;
    writeFileSync(process.env.ALLOCATION_PROFILE_FILE, JSON.stringify(result.profile));
  });
});
