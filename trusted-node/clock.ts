/**
 * The node's clock at its boundary. The node stores times as whole milliseconds (SQLite INTEGER
 * columns, u64 block times, reward hours), while a clock it is given may be fractional: a virtual
 * clock, or `performance.timeOrigin + performance.now()`. Every clock the node is handed goes
 * through {@link wholeMsClock} once, where it is read, so no part of the node ever sees a
 * fraction and any finite clock works.
 * @module
 */

/**
 * Wraps `now` so that it returns whole milliseconds (rounded down, so the clock never runs
 * ahead of the one given). A reading that is not a finite number of 0 or more throws, naming
 * `name`: a clock that gives no time is a bug of whoever passed it.
 */
export function wholeMsClock(now: () => number, name = 'now'): () => number {
  return () => {
    const time = now();
    if (typeof time !== 'number') throw new TypeError(`"${name}" expected a clock returning a number, got ${typeof time}`);
    if (!Number.isFinite(time) || time < 0) throw new RangeError(`"${name}" expected a time in ms since the epoch (a finite number, 0 or more), got ${time}`);
    return Math.floor(time);
  };
}
