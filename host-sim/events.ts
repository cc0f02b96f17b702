/**
 * The fleet's event queue: everything that happens in a run, ordered by virtual time, then by
 * device, then by the order it was scheduled in. Host scheduling never decides an order.
 * @module
 */

/** One queued event. */
export interface Queued<T> {
  time: number;
  /** device index, or -1 for the fleet's own events (sweeps, blocks, faults) */
  device: number;
  seq: number;
  event: T;
}

/** A binary min-heap of events. */
export class EventQueue<T> {
  private heap: Queued<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(time: number, device: number, event: T): void {
    const item = { time, device, seq: this.seq++, event };
    const heap = this.heap;
    heap.push(item);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  pop(): Queued<T> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let least = index;
      if (left < heap.length && before(heap[left]!, heap[least]!)) least = left;
      if (right < heap.length && before(heap[right]!, heap[least]!)) least = right;
      if (least === index) break;
      [heap[index], heap[least]] = [heap[least]!, heap[index]!];
      index = least;
    }
    return top;
  }

  /** Removes every event `drop` selects. */
  remove(drop: (item: Queued<T>) => boolean): void {
    const kept = this.heap.filter((item) => !drop(item));
    this.heap = [];
    for (const item of kept.sort((a, b) => (before(a, b) ? -1 : 1))) this.heap.push(item);
  }
}

function before(a: Queued<unknown>, b: Queued<unknown>): boolean {
  return a.time !== b.time ? a.time < b.time : a.device !== b.device ? a.device < b.device : a.seq < b.seq;
}
