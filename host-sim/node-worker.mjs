// The in-process trusted node runs in a worker thread (its CPU apart from the simulator's, see
// node.ts). This entry makes the node's randomness (unit ids, challenges) a stream drawn from the
// run's seed, so one seed gives one run, then lets the worker load TypeScript as the main thread.
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

let block = 0;
let pool = Buffer.alloc(0);
function seededBytes(size, callback) {
  while (pool.length < size) {
    const next = crypto.createHash('sha256').update(`micromine sim node ${workerData.seed} ${block++}`).digest();
    pool = Buffer.concat([pool, next]);
  }
  const out = Buffer.from(pool.subarray(0, size));
  pool = pool.subarray(size);
  if (typeof callback === 'function') {
    queueMicrotask(() => callback(null, out));
    return undefined;
  }
  return out;
}
crypto.randomBytes = seededBytes;
syncBuiltinESMExports();

register();
await import('./node-host.ts');
