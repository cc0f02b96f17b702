/**
 * The creation parameters of an emulated XS device, in the shape of a Moddable manifest's
 * `creation` object, and their translation into the device host's command line.
 * @module
 */
import { EngineError } from './errors.ts';

/** An initial size and the step by which it may grow (0: never grows). */
export interface Growth {
  initial: number;
  incremental: number;
}

/**
 * Machine creation as a Moddable manifest writes it, in device units: bytes and 16-byte slots
 * of the 32-bit MCU (see docs/simulator-engine.md for how they map onto the 64-bit host).
 */
export interface DeviceCreation {
  /** One block (bytes) for stack, slots and chunks, or 0 for separate heaps. */
  static: number;
  /** Chunk heap, bytes. */
  chunk: Growth;
  /** Slot heap, slots. */
  heap: Growth;
  /** JS stack, slots. */
  stack: number;
  /** Runtime keys, and the sizes of the name and symbol hash tables. */
  keys: Growth & { name: number; symbol: number };
  /** Parser buffer (bytes) and table size for code compiled at run time (eval); default 1024/17. */
  parser?: { buffer: number; table: number };
}

const COUNT_MAX = 0x7fffffff;

function count(name: string, value: unknown, min = 0): number {
  if (typeof value !== 'number') throw new TypeError(`"${name}" expected integer, got ${value === null ? 'null' : typeof value}`);
  if (!(Number.isInteger(value) && value >= min && value <= COUNT_MAX)) {
    throw new RangeError(`"${name}" expected integer from ${min} to ${COUNT_MAX}, got ${value}`);
  }
  return value;
}

function record(name: string, value: unknown, keys: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`"${name}" expected object, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`);
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!keys.includes(key) && !optional.includes(key)) throw new TypeError(`"${name}" has an unknown field "${key}"`);
  }
  for (const key of keys) {
    if (!(key in object)) throw new TypeError(`"${name}.${key}" is missing`);
  }
  return object;
}

function growth(name: string, value: unknown, min: number): Growth {
  const object = record(name, value, ['initial', 'incremental']);
  return { initial: count(`${name}.initial`, object.initial, min), incremental: count(`${name}.incremental`, object.incremental) };
}

/** Returns a checked copy of `value`, or throws a TypeError/RangeError naming the bad field. */
export function checkCreation(value: unknown, name = 'creation'): Required<DeviceCreation> {
  const object = record(name, value, ['static', 'chunk', 'heap', 'stack', 'keys'], ['parser']);
  const keys = record(`${name}.keys`, object.keys, ['initial', 'incremental', 'name', 'symbol']);
  const parser = object.parser === undefined ? { buffer: 1024, table: 17 } : record(`${name}.parser`, object.parser, ['buffer', 'table']);
  return {
    static: count(`${name}.static`, object.static),
    chunk: growth(`${name}.chunk`, object.chunk, 0),
    heap: growth(`${name}.heap`, object.heap, 2),
    stack: count(`${name}.stack`, object.stack, 1),
    keys: {
      initial: count(`${name}.keys.initial`, keys.initial),
      incremental: count(`${name}.keys.incremental`, keys.incremental),
      name: count(`${name}.keys.name`, keys.name, 1),
      symbol: count(`${name}.keys.symbol`, keys.symbol, 1),
    },
    parser: { buffer: count(`${name}.parser.buffer`, parser.buffer, 1), table: count(`${name}.parser.table`, parser.table, 1) },
  };
}

/** Device bytes the initial stack, slot heap and chunk heap take (16-byte slots). */
export function initialBytes(creation: DeviceCreation): number {
  return (creation.stack + creation.heap.initial) * 16 + creation.chunk.initial;
}

/**
 * The effective allocation limit: `static` when the device has one block, else the caller's
 * limit, else unlimited (only growth can reach it).
 */
export function allocationLimitOf(creation: DeviceCreation, allocationLimit: number | undefined): number {
  if (allocationLimit !== undefined) count('allocationLimit', allocationLimit);
  const limit = allocationLimit ?? (creation.static > 0 ? creation.static : COUNT_MAX);
  if (creation.static > 0 && limit > creation.static) {
    throw new RangeError(`"allocationLimit" expected at most creation.static (${creation.static}), got ${limit}`);
  }
  if (initialBytes(creation) > limit) {
    throw new EngineError('not-enough-memory', `the initial heaps take ${initialBytes(creation)} device bytes, more than the allocation limit of ${limit}`, {
      hint: 'lower creation.stack, heap.initial or chunk.initial, or raise the limit',
    });
  }
  return limit;
}

/** The device host's command line for a checked creation. */
export function creationArguments(creation: Required<DeviceCreation>, allocationLimit: number): string[] {
  return [
    '--chunk', `${creation.chunk.initial}/${creation.chunk.incremental}`,
    '--heap', `${creation.heap.initial}/${creation.heap.incremental}`,
    '--stack', String(creation.stack),
    '--keys', `${creation.keys.initial}/${creation.keys.incremental}`,
    '--names', String(creation.keys.name),
    '--symbols', String(creation.keys.symbol),
    '--parser', `${creation.parser.buffer}/${creation.parser.table}`,
    '--allocation-limit', String(allocationLimit),
  ];
}
