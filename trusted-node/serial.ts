/**
 * A one-at-a-time lane for work that reads and then changes shared state across an `await`
 * (check a transaction against the mempool, then add it; commit a block, then update the
 * mempool). Without it a second request could pass its check between the first one's check
 * and write.
 * @module
 */

/** Runs submitted tasks strictly one after another, in submission order. */
export class SerialLane {
  #tail: Promise<unknown> = Promise.resolve();
  #waiting = 0;

  /** Runs `task` after every task submitted before it; resolves or rejects with its outcome. */
  run<T>(task: () => Promise<T> | T): Promise<T> {
    this.#waiting++;
    const result = this.#tail.then(() => {
      this.#waiting--;
      return task();
    });
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Tasks submitted that have not started yet: a long-running task should let them in. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Resolves when every task submitted so far has finished. */
  async idle(): Promise<void> {
    await this.#tail;
  }
}
