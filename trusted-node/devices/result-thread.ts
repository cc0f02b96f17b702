/**
 * The result writer thread: its own connection to the node's SQLite file, writing the batches
 * of device results the main thread sends (`{id, batch}`, the batch one transferred buffer:
 * devices/result-batch.ts) and answering `{id, outcomes}` (one transferred byte per result) or
 * `{id, error}` once each batch is committed. Started by devices/result-writer.ts.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteStore, WRITER_CHECKPOINT_PAGES } from '../store/sqlite.ts';
import { decodeResultBatch, encodeOutcomes } from './result-batch.ts';

const port = parentPort!;
// Names the thread for per-thread CPU figures (top -H, the load generator); Linux only, and only a label.
try {
  writeFileSync('/proc/thread-self/comm', 'mm-writer');
} catch {
  // another system: the thread keeps its default name
}
// This connection writes nearly every page, so it is the one that checkpoints (see MAIN_CHECKPOINT_PAGES).
const store = openSqliteStore((workerData as { databasePath: string }).databasePath, { checkpointPages: WRITER_CHECKPOINT_PAGES });

port.on('message', (message: { id: number; batch: ArrayBuffer } | { close: true }) => {
  if ('close' in message) {
    void store.close().then(() => port.close());
    return;
  }
  Promise.resolve().then(() => store.recordResults(decodeResultBatch(message.batch))).then(
    (outcomes) => {
      const encoded = encodeOutcomes(outcomes);
      port.postMessage({ id: message.id, outcomes: encoded }, [encoded]);
    },
    (error: unknown) => port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
port.postMessage({ ready: true });
