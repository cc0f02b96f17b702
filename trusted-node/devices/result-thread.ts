/**
 * The result writer thread: its own connection to the node's SQLite file, writing the batches
 * of device results the main thread sends (`{id, batch}`) and answering `{id, outcomes}` or
 * `{id, error}` once each batch is committed. Started by devices/result-writer.ts.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteStore } from '../store/sqlite.ts';
import type { ResultRecord } from '../store/types.ts';

const port = parentPort!;
const store = openSqliteStore((workerData as { databasePath: string }).databasePath);

port.on('message', (message: { id: number; batch: ResultRecord[] } | { close: true }) => {
  if ('close' in message) {
    void store.close().then(() => port.close());
    return;
  }
  store.recordResults(message.batch).then(
    (outcomes) => port.postMessage({ id: message.id, outcomes }),
    (error: unknown) => port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
port.postMessage({ ready: true });
