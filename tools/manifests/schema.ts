// Hand-written validation: each reader checks one value at a field path and returns it typed.
// Readers compose into object shapes that reject unknown fields by name, so a profile or budget
// either loads whole and typed or fails with the file and the exact field.
import { ManifestError } from './errors.ts';
import { MIN_ESPRUINO_VERSION, isEspruinoAtLeast, parseEspruinoVersion } from './espruino-version.ts';
import type {
  Board, Budget, ComputronBudget, Cpu, DigestCost, DigestName, Digests, EspruinoFlash, EspruinoRam,
  EspruinoRamBudget, Growth, ImageBudget, Profile, Provenance, Runtime, Sourced, Tier, Tolerance,
  XsCreation, XsFlash, XsRam, XsRamBudget,
} from './types.ts';

/** Where a value sits: the file and the dotted path of the field. */
export interface Place {
  file: string;
  path: string;
}

/** Checks a value found at `at` and returns it typed, or throws a ManifestError naming the place. */
export type Reader<T> = (value: unknown, at: Place) => T;

const child = (at: Place, key: string): Place => ({ file: at.file, path: at.path ? `${at.path}.${key}` : key });

const show = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
};

function wrongType(at: Place, expected: string, value: unknown): never {
  throw new ManifestError('wrong-type', at, `expected ${expected}, got ${show(value)}`, `set "${at.path}" to ${expected}`);
}

function badValue(at: Place, expected: string, value: unknown): never {
  throw new ManifestError('bad-value', at, `expected ${expected}, got ${show(value)}`, `set "${at.path}" to ${expected}`);
}

/** An integer in [0, 2^32). */
export const u32: Reader<number> = (value, at) => {
  if (typeof value !== 'number') wrongType(at, 'u32', value);
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) badValue(at, 'u32', value);
  return value;
};

/** A finite number greater than zero. */
export const positive: Reader<number> = (value, at) => {
  if (typeof value !== 'number') wrongType(at, 'a positive number', value);
  if (!Number.isFinite(value) || value <= 0) badValue(at, 'a positive number', value);
  return value;
};

/** A non-empty string. */
export const text: Reader<string> = (value, at) => {
  if (typeof value !== 'string') wrongType(at, 'a string', value);
  if (value.trim() === '') badValue(at, 'a non-empty string', value);
  return value;
};

/** An Espruino release (`2v21`, or `2v20.48` for a cutting-edge build) no older than the oldest supported. */
export const espruinoVersion: Reader<string> = (value, at) => {
  const expected = `an Espruino version like "2v21" or "2v20.48" (${MIN_ESPRUINO_VERSION} or later)`;
  if (typeof value !== 'string') wrongType(at, expected, value);
  if (parseEspruinoVersion(value) === null || value !== value.trim() || !isEspruinoAtLeast(value, MIN_ESPRUINO_VERSION)) badValue(at, expected, value);
  return value;
};

/** A boolean. */
export const flag: Reader<boolean> = (value, at) => (typeof value === 'boolean' ? value : wrongType(at, 'a boolean', value));

/** One of a fixed set of strings. */
export function oneOf<const T extends string>(...choices: T[]): Reader<T> {
  const expected = choices.map((c) => `"${c}"`).join(' | ');
  return (value, at) => {
    if (typeof value !== 'string') wrongType(at, expected, value);
    if (!(choices as string[]).includes(value)) badValue(at, expected, value);
    return value as T;
  };
}

/** A string equal to `expected` (used to tie a file's `target` field to its name). */
export function exactly(expected: string): Reader<string> {
  return (value, at) => {
    text(value, at);
    if (value !== expected) badValue(at, `"${expected}" (the file name)`, value);
    return expected;
  };
}

type Shape<T> = { [K in keyof T]-?: Reader<T[K]> };
type OptionalKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];

/**
 * A JSON object with exactly the fields of `shape`: each field is read by its reader, fields whose
 * type admits undefined may be absent, and any other field is rejected by name.
 */
export function object<T>(shape: Shape<T>, optional: readonly OptionalKeys<T>[] = []): Reader<T> {
  return (value, at) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) wrongType(at, 'an object', value);
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!Object.hasOwn(shape, key)) {
        const known = Object.keys(shape).join(', ');
        throw new ManifestError('unknown-field', child(at, key), 'unknown field', `remove it or use one of: ${known}`);
      }
    }
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(shape) as (keyof T & string)[]) {
      if (!Object.hasOwn(record, key)) {
        if ((optional as readonly string[]).includes(key)) continue;
        throw new ManifestError('missing-field', child(at, key), 'missing', `add "${child(at, key).path}" (see docs/manifests.md)`);
      }
      result[key] = shape[key](record[key], child(at, key));
    }
    return result as T;
  };
}

/** An object whose keys are restricted to `keys`, each present key read by `reader`. */
export function partialRecord<K extends string, V>(keys: readonly K[], reader: Reader<V>): Reader<Partial<Record<K, V>>> {
  const shape = Object.fromEntries(keys.map((key) => [key, reader])) as unknown as Shape<Partial<Record<K, V>>>;
  return object<Partial<Record<K, V>>>(shape, keys as unknown as OptionalKeys<Partial<Record<K, V>>>[]);
}

const sourced: Reader<Sourced> = object<Sourced>({
  value: positive,
  source: oneOf<Provenance>('measured', 'published', 'estimate'),
  note: text,
});

const growth = object<Growth>({ initial: u32, incremental: u32 });

const digestNames: readonly DigestName[] = ['SHA1', 'SHA224', 'SHA256', 'SHA384', 'SHA512'];
const digests: Reader<Digests> = partialRecord(digestNames, object<DigestCost>({ blockBytes: u32, usPerBlock: sourced, usPerCall: sourced }));

const board = object<Board>({ name: text, chip: oneOf('esp32', 'esp32s3', 'esp32c3') });
const cpu = object<Cpu>({ clockMHz: positive, computronsPerMs: sourced });

const xsRam = object<XsRam>({
  creation: object<XsCreation>({
    static: u32,
    chunk: growth,
    heap: growth,
    stack: u32,
    keys: object<XsCreation['keys']>({ initial: u32, incremental: u32, name: u32, symbol: u32 }),
  }),
  slotBytes: u32,
});
const espruinoRam = object<EspruinoRam>({ variables: u32, bytesPerVariable: u32 });
const xsFlash = object<XsFlash>({
  modBytes: u32,
  preference: object<XsFlash['preference']>({ nvsBytes: sourced, maxNameChars: u32, maxValueBytes: u32 }),
});
const espruinoFlash = object<EspruinoFlash>({ storageBytes: u32 });

/** Reads a whole profile; `target` is the file's name, which the `target` field must repeat. */
export function profile(target: string): Reader<Profile> {
  const common = {
    target: exactly(target),
    tier: oneOf<Tier>('hash', 'sig'),
    board,
    cpu,
    sliceMs: positive,
    network: object<Profile['network']>({ latencyMs: sourced }),
    digests,
  };
  const xs = object({ ...common, runtime: oneOf('xs'), ram: xsRam, flash: xsFlash });
  const espruino = object({ ...common, runtime: oneOf('espruino'), firmware: espruinoVersion, ram: espruinoRam, flash: espruinoFlash });
  return (value, at) => {
    // The runtime decides which RAM and flash shapes apply, so it is read first.
    if (typeof value !== 'object' || value === null || Array.isArray(value)) wrongType(at, 'an object', value);
    const record = value as Record<string, unknown>;
    if (!Object.hasOwn(record, 'runtime')) {
      throw new ManifestError('missing-field', child(at, 'runtime'), 'missing', 'add "runtime": "xs" or "espruino"');
    }
    const runtime = oneOf<Runtime>('xs', 'espruino')(record['runtime'], child(at, 'runtime'));
    return runtime === 'xs' ? xs(value, at) : espruino(value, at);
  };
}

const xsRamBudget = object<XsRamBudget>({ slots: u32, chunkBytes: u32 });
const espruinoRamBudget = object<EspruinoRamBudget>({ variables: u32 });

/** Reads a whole budget for a target of the given runtime and tier. */
export function budget(target: string, runtime: Runtime, tier: Tier): Reader<Budget> {
  const computrons = tier === 'sig'
    ? object<ComputronBudget>({ hashEntry: u32, sigEntry: u32, shareAttempt: u32, unit: u32 })
    : object<Omit<ComputronBudget, 'sigEntry'>>({ hashEntry: u32, shareAttempt: u32, unit: u32 });
  return object<Budget>({
    target: exactly(target),
    provisional: flag,
    note: text,
    // Only Espruino images have a stored form distinct from the raw one.
    image: runtime === 'espruino'
      ? object<ImageBudget>({ rawBytes: u32, gzipBytes: u32, storedBytes: u32 }, ['storedBytes'])
      : object<Omit<ImageBudget, 'storedBytes'>>({ rawBytes: u32, gzipBytes: u32 }),
    ram: runtime === 'xs' ? xsRamBudget : espruinoRamBudget,
    computrons,
  });
}

const percent = object<{ regressionPercent: number }>({
  regressionPercent: (value, at) => {
    if (typeof value !== 'number') wrongType(at, 'a percentage', value);
    if (!Number.isFinite(value) || value < 0 || value > 100) badValue(at, 'a percentage in [0, 100]', value);
    return value;
  },
});

/** Reads the tolerance policy. */
export const tolerance: Reader<Tolerance> = object<Tolerance>({ bytes: percent, ram: percent, computrons: percent });
