/**
 * Where group commit writes device results: into the node's store on the main thread, or, for
 * the SQLite store, on a writer thread with its own connection to the same file, so that a
 * commit's fsync never stalls the sessions of a thousand devices: while the thread commits one
 * batch, the main thread keeps answering pulls and gathers the next batch. SQLite lets one
 * writer at a time in: the main thread's own writes (a block, the mempool) wait for a batch in
 * progress (its busy timeout), a few milliseconds at most.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { NodeError } from '../errors.ts';
import type { LedgerStore, ResultOutcome, ResultRecord } from '../store/types.ts';
import { decodeOutcomes, encodeResultBatch } from './result-batch.ts';

/** Writes batches of results durably. */
export interface ResultWriter {
  /** Resolves with each result's outcome once the whole batch is committed. */
  write(batch: readonly ResultRecord[]): Promise<ResultOutcome[]>;
  /** Finishes what was sent and releases the writer. */
  close(): Promise<void>;
}

/** Writes through the node's own store, on the calling thread. */
export function storeWriter(store: LedgerStore): ResultWriter {
  return { write: (batch) => store.recordResults(batch), close: async () => undefined };
}

/** Writes on a thread of its own, through its own connection to the SQLite file at `databasePath`. */
export async function threadWriter(databasePath: string): Promise<ResultWriter> {
  const entry = new URL(`./result-thread${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
  // TypeScript sources run under tsx here, and a worker needs the loader registered for itself.
  const boot = entry.endsWith('.ts')
    ? `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`
    : `import(${JSON.stringify(entry)})`;
  const worker = new Worker(boot, { eval: true, workerData: { databasePath } });
  const waiting = new Map<number, { resolve: (outcomes: ResultOutcome[]) => void; reject: (error: unknown) => void }>();
  let next = 0;
  let failure: NodeError | undefined;
  const fail = (why: string): void => {
    failure ??= new NodeError('store', `the result writer thread stopped: ${why}`, { where: databasePath });
    for (const w of waiting.values()) w.reject(failure);
    waiting.clear();
  };
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', (error) => fail(error.message));
  worker.on('exit', (code) => fail(`exit code ${code}`));
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  worker.on('message', (message: { id: number; outcomes?: ArrayBuffer; error?: string }) => {
    const w = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.outcomes !== undefined) w?.resolve(decodeOutcomes(message.outcomes));
    else w?.reject(new NodeError('store', message.error ?? 'unknown failure', { where: databasePath }));
  });
  return {
    write(batch) {
      if (failure !== undefined) return Promise.reject(failure);
      let encoded: ArrayBuffer;
      try {
        encoded = encodeResultBatch(batch);
      } catch (error) {
        return Promise.reject(error);
      }
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, batch: encoded }, [encoded]);
      });
    },
    async close() {
      worker.postMessage({ close: true });
      await exited;
    },
  };
}
