/**
 * Group commit of device results. A result is acknowledged only once it is durable, and a
 * durable SQLite commit costs an fsync, so results are not written one by one: every result
 * that arrives during one turn of the event loop (all the socket data Node read in that turn)
 * joins one batch, written by one `recordResults` call, one transaction, one fsync, after which
 * each waiting submit resolves and its ack goes out. While a batch is being written (on the
 * writer thread: devices/result-writer.ts) the next one gathers. Under light load a batch is a
 * single result and adds no delay; under heavy load batches grow by themselves, up to `maxBatch`.
 * Batches take their turn in the node's lane, like blocks and intake, so the writer thread's
 * connection and the main one never wait on each other's write lock: SQLite would have the
 * main thread sleep through such a wait.
 * @module
 */
import type { Histogram, MetricsRegistry } from '../metrics.ts';
import type { SerialLane } from '../serial.ts';
import type { ResultOutcome, ResultRecord } from '../store/types.ts';
import type { ResultWriter } from './result-writer.ts';

interface Waiting {
  readonly record: ResultRecord;
  readonly resolve: (outcome: ResultOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/** See the module comment. */
export class GroupCommit {
  readonly #writer: ResultWriter;
  readonly #lane: SerialLane;
  readonly #maxBatch: number;
  readonly #batchSize: Histogram;
  readonly #commitSeconds: Histogram;
  #queue: Waiting[] = [];
  #writing: Promise<void> | null = null;
  #scheduled = false;

  constructor(writer: ResultWriter, lane: SerialLane, maxBatch: number, metrics: MetricsRegistry) {
    this.#writer = writer;
    this.#lane = lane;
    this.#maxBatch = maxBatch;
    this.#batchSize = metrics.histogram({
      name: 'mm_result_batch_size', help: 'Device results written per store transaction (group commit)', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048],
    });
    this.#commitSeconds = metrics.histogram({
      name: 'mm_result_commit_seconds', help: 'Time to write one batch of device results durably', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1],
    });
  }

  /** Resolves with the store's outcome once the result's batch is durable. */
  write(record: ResultRecord): Promise<ResultOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ record, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves once everything queued so far is written. */
  async idle(): Promise<void> {
    while (this.#writing !== null || this.#queue.length > 0) {
      this.#schedule();
      await (this.#writing ?? new Promise((resolve) => setImmediate(resolve)));
    }
  }

  /** Writes what is queued, then releases the writer. */
  async close(): Promise<void> {
    await this.idle();
    await this.#writer.close();
  }

  #schedule(): void {
    if (this.#scheduled || this.#writing !== null) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#queue.length > 0) this.#writing = this.#lane.run(() => this.#flush()).finally(() => {
        this.#writing = null;
        if (this.#queue.length > 0) this.#schedule();
      });
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#queue.splice(0, this.#maxBatch);
    const started = performance.now();
    try {
      const outcomes = await this.#writer.write(batch.map((w) => w.record));
      this.#commitSeconds.observe((performance.now() - started) / 1000);
      this.#batchSize.observe(batch.length);
      batch.forEach((w, i) => w.resolve(outcomes[i]!));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
