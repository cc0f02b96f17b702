/**
 * Group commit of device results. A result is acknowledged only once it is durable, and a
 * durable SQLite commit costs an fsync, so results are not written one by one: every result
 * that arrives during one turn of the event loop (all the socket data Node read in that turn)
 * joins one batch, written by one `recordResults` call, one transaction, one fsync, after which
 * each waiting submit resolves and its ack goes out. Under light load a batch is a single result
 * and adds no delay; under heavy load batches grow by themselves, up to `maxBatch`.
 *
 * Batches are pipelined: the next one is handed to the writer (devices/result-writer.ts, which
 * commits them strictly in order) while the one before it is still committing, at most
 * {@link IN_FLIGHT} at a time. The writer then starts each commit the moment the previous one
 * ends instead of waiting for the main thread to hear of it and send more, and a result waits
 * for at most the commit ahead of its own. An ack still waits for its own batch's commit.
 *
 * Batches take their turn in the node's lane, like blocks and intake, so the writer thread's
 * connection and the main one never wait on each other's write lock (SQLite would have the main
 * thread sleep through such a wait). Group commit keeps its turn while batches keep coming, but
 * sends no new batch once another task waits for the lane: the turn ends when the batches in
 * flight are durable, and the results gathered meanwhile queue behind that task.
 * @module
 */
import type { HistogramSeries, MetricsRegistry } from '../metrics.ts';
import type { SerialLane } from '../serial.ts';
import type { ResultOutcome, ResultRecord } from '../store/types.ts';
import type { ResultWriter } from './result-writer.ts';

/** Batches handed to the writer and not yet durable, at most: one committing, one next in line. */
export const IN_FLIGHT = 2;

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
  readonly #batchSize: HistogramSeries;
  readonly #commitSeconds: HistogramSeries;
  #queue: Waiting[] = [];
  #inFlight = 0;
  #scheduled = false;
  /** The lane turn group commit asked for or holds (resolves when it ends), and how to end it once held. */
  #turn: Promise<void> | null = null;
  #endTurn: (() => void) | null = null;

  constructor(writer: ResultWriter, lane: SerialLane, maxBatch: number, metrics: MetricsRegistry) {
    this.#writer = writer;
    this.#lane = lane;
    this.#maxBatch = maxBatch;
    this.#batchSize = metrics.histogram({
      name: 'mm_result_batch_size', help: 'Device results written per store transaction (group commit)', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048],
    }).series();
    this.#commitSeconds = metrics.histogram({
      name: 'mm_result_commit_seconds', help: 'Time from handing a batch of device results to the writer to its durable commit', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1],
    }).series();
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
    while (this.#turn !== null || this.#queue.length > 0) {
      this.#schedule();
      await (this.#turn ?? new Promise((resolve) => setImmediate(resolve)));
    }
  }

  /** Writes what is queued, then releases the writer. */
  async close(): Promise<void> {
    await this.idle();
    await this.#writer.close();
  }

  /** Sends what arrived in this turn of the event loop as one batch, once the turn's I/O is read. */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#queue.length === 0 || this.#inFlight >= IN_FLIGHT) return;
    if (this.#turn === null) {
      this.#turn = this.#lane.run(() => new Promise<void>((end) => {
        this.#endTurn = end;
        this.#pump();
        if (this.#inFlight === 0) this.#release();
      }));
      return;
    }
    // Asked for and not yet held, or held while another task waits: the batch waits (see the module comment).
    if (this.#endTurn === null || (this.#inFlight > 0 && this.#lane.waiting > 0)) return;
    this.#send(this.#queue.splice(0, this.#maxBatch));
  }

  #send(batch: Waiting[]): void {
    this.#inFlight++;
    const started = performance.now();
    this.#writer.write(batch.map((w) => w.record)).then(
      (outcomes) => {
        this.#commitSeconds.observe((performance.now() - started) / 1000);
        this.#batchSize.observe(batch.length);
        batch.forEach((w, i) => w.resolve(outcomes[i]!));
      },
      (error: unknown) => {
        for (const w of batch) w.reject(error);
      },
    ).finally(() => {
      this.#inFlight--;
      if (this.#lane.waiting === 0) this.#pump();
      if (this.#inFlight === 0) this.#release();
    });
  }

  /** Ends the lane turn (nothing in flight), and asks for another if results wait. */
  #release(): void {
    const end = this.#endTurn!;
    this.#endTurn = null;
    this.#turn = null;
    end();
    if (this.#queue.length > 0) this.#schedule();
  }
}
