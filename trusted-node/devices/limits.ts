/**
 * Token buckets keyed by address or device, for the limits one connection cannot enforce on
 * its own: many connections from one address, or one device reconnecting to get a fresh
 * per-connection allowance. A bucket holds `burst` tokens and refills at `rate` per second.
 * @module
 */

/** Buckets by key; idle full ones are dropped by {@link KeyedBuckets.prune}. */
export class KeyedBuckets {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  /** `rate` tokens per second, at most `burst` saved up. */
  constructor(rate: number, burst: number, now: () => number) {
    this.#rate = rate;
    this.#burst = burst;
    this.#now = now;
  }

  /** Takes `count` tokens from `key`'s bucket; false (taking nothing) when it has fewer. */
  take(key: string, count = 1): boolean {
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) this.#buckets.set(key, (bucket = { tokens: this.#burst, at: now }));
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (Math.max(0, now - bucket.at) * this.#rate) / 1000);
    bucket.at = now;
    if (bucket.tokens < count) return false;
    bucket.tokens -= count;
    return true;
  }

  /** Gives `count` tokens back to `key`'s bucket (a bucket already full, or forgotten, stays full). */
  give(key: string, count = 1): void {
    const bucket = this.#buckets.get(key);
    if (bucket !== undefined) bucket.tokens = Math.min(this.#burst, bucket.tokens + count);
  }

  /** Forgets buckets that have refilled completely (they hold no information). */
  prune(): void {
    const now = this.#now();
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.at) * this.#rate) / 1000 >= this.#burst) this.#buckets.delete(key);
    }
  }

  /** Number of buckets kept. */
  get size(): number {
    return this.#buckets.size;
  }
}

/** Counts newline bytes in a chunk from a socket (latin1 string): the lines it completes. */
export function countLines(chunk: string): number {
  let lines = 0;
  for (let at = chunk.indexOf('\n'); at !== -1; at = chunk.indexOf('\n', at + 1)) lines++;
  return lines;
}
