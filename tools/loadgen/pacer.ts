/**
 * One timer for a whole fleet's pacing. A device that paces its requests waits a few
 * milliseconds before almost every one; a Node timer per wait costs a Timeout object, a closure
 * and, for a fractional delay, a timer list of its own, thousands of times a second. Here each
 * device owns one {@link PacedTask}, made once; waiting tasks sit in a binary heap ordered by
 * due time and a single timer is armed for the earliest. Tasks due together run in one turn.
 * @module
 */

/** A device's handle on the pacer; made by {@link Pacer.task}, scheduled again and again. */
export interface PacedTask {
  /** When it is due (ms on the pacer's clock); meaningful while it waits. */
  readonly dueAt: number;
}

interface HeapTask extends PacedTask {
  dueAt: number;
  /** Position in the heap, or -1 when not scheduled. */
  index: number;
  readonly run: () => void;
}

/**
 * Node timers count whole milliseconds, so a task may run up to this much before its due time
 * rather than wait a whole extra timer turn; a token bucket charges the difference to the next
 * request, so the rate over time is unchanged.
 */
const GRANULARITY_MS = 1;

/** See the module comment. */
export class Pacer {
  readonly #clock: () => number;
  readonly #heap: HeapTask[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** The due time the timer is armed for (Infinity when it is not). */
  #armedFor = Infinity;
  /** True while due tasks run: what they schedule is armed for once, after them. */
  #firing = false;

  /** `clock`: milliseconds, default `performance.now`. */
  constructor(clock: () => number = () => performance.now()) {
    if (typeof clock !== 'function') throw new TypeError(`"clock" expected a function, got ${typeof clock}`);
    this.#clock = clock;
  }

  /** Tasks waiting. */
  get size(): number {
    return this.#heap.length;
  }

  /** A task that calls `run` each time it comes due. */
  task(run: () => void): PacedTask {
    if (typeof run !== 'function') throw new TypeError(`"run" expected a function, got ${typeof run}`);
    const task: HeapTask = { dueAt: 0, index: -1, run };
    return task;
  }

  /** Runs `task` once at `dueAt` (ms on the pacer's clock); a task already waiting moves to the new time. */
  schedule(task: PacedTask, dueAt: number): void {
    const own = this.#own(task);
    if (Number.isNaN(dueAt)) throw new RangeError(`"dueAt" expected a time in ms, got ${dueAt}`);
    if (own.index >= 0) this.#remove(own);
    own.dueAt = dueAt;
    own.index = this.#heap.length;
    this.#heap.push(own);
    this.#up(own.index);
    if (!this.#firing && dueAt < this.#armedFor) this.#arm();
  }

  /** Takes `task` out if it waits; the timer stays armed and finds nothing due, or a later task. */
  cancel(task: PacedTask): void {
    const own = this.#own(task);
    if (own.index >= 0) this.#remove(own);
    if (this.#heap.length === 0 && this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
      this.#armedFor = Infinity;
    }
  }

  #own(task: PacedTask): HeapTask {
    const own = task as HeapTask;
    if (typeof own?.run !== 'function' || typeof own.index !== 'number') throw new TypeError('"task" expected a task made by this pacer');
    if (own.index >= 0 && this.#heap[own.index] !== own) throw new RangeError('"task" is waiting in another pacer');
    return own;
  }

  #arm(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    const first = this.#heap[0]!;
    this.#armedFor = first.dueAt;
    // Whole milliseconds: Node keeps one timer list per distinct delay, and a fractional delay would make a list per wait.
    this.#timer = setTimeout(() => this.#fire(), Math.max(1, Math.ceil(first.dueAt - this.#clock())));
  }

  #fire(): void {
    this.#timer = null;
    this.#armedFor = Infinity;
    const heap = this.#heap;
    const until = this.#clock() + GRANULARITY_MS;
    this.#firing = true;
    try {
      while (heap.length > 0 && heap[0]!.dueAt <= until) {
        const first = heap[0]!;
        this.#remove(first);
        first.run();
      }
    } finally {
      this.#firing = false;
      if (heap.length > 0) this.#arm();
    }
  }

  #remove(task: HeapTask): void {
    const heap = this.#heap;
    const at = task.index;
    const last = heap.pop()!;
    task.index = -1;
    if (last === task) return;
    heap[at] = last;
    last.index = at;
    this.#down(at);
    this.#up(last.index);
  }

  #up(at: number): void {
    const heap = this.#heap;
    const task = heap[at]!;
    while (at > 0) {
      const parentAt = (at - 1) >> 1;
      const parent = heap[parentAt]!;
      if (parent.dueAt <= task.dueAt) break;
      heap[at] = parent;
      parent.index = at;
      at = parentAt;
    }
    heap[at] = task;
    task.index = at;
  }

  #down(at: number): void {
    const heap = this.#heap;
    const task = heap[at]!;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= heap.length) break;
      if (child + 1 < heap.length && heap[child + 1]!.dueAt < heap[child]!.dueAt) child++;
      if (heap[child]!.dueAt >= task.dueAt) break;
      heap[at] = heap[child]!;
      heap[at]!.index = at;
      at = child;
    }
    heap[at] = task;
    task.index = at;
  }
}
