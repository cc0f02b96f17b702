/**
 * A device's flash, kept in one JSON file so that a power cut (a fresh engine) finds what the
 * device wrote, as the board's NVS or Storage would. Two views over it: Moddable's Preference
 * (domain and key names of 1-15 characters, values up to 4000 bytes, typed) and Espruino's
 * Storage (file names up to 28 characters, string contents up to the profile's storage size).
 * Every write reaches the file before the call returns (write to a temporary file, then rename).
 * @module
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { SimError } from './errors.ts';

/** A stored value: string, 32-bit integer, boolean, or bytes (hex in the file). */
export type FlashValue = { type: 'string'; value: string } | { type: 'integer'; value: number } | { type: 'boolean'; value: boolean } | { type: 'bytes'; value: string };

const PREFERENCE_NAME_MAX = 15;
const PREFERENCE_VALUE_MAX = 4000;
const STORAGE_NAME_MAX = 28;

/** The flash file of one device. */
export class Flash {
  private entries: Record<string, FlashValue>;
  /** writes so far, and writes a fault corrupted */
  writes = 0;
  corrupted = 0;
  /** set by the fault plan: the write (1-based) that is torn, or -1 */
  corruptAt = -1;

  constructor(readonly path: string, private readonly capacity: number) {
    this.entries = existsSync(path) ? Flash.read(path) : {};
  }

  private static read(path: string): Record<string, FlashValue> {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as Record<string, FlashValue>;
    } catch (error) {
      throw new SimError('flash', `unreadable flash file: ${(error as Error).message}`, { where: path });
    }
  }

  /** Bytes in use (names and values), as the capacity counts them. */
  get used(): number {
    let total = 0;
    for (const [name, entry] of Object.entries(this.entries)) total += name.length + String(entry.value).length;
    return total;
  }

  get(name: string): FlashValue | undefined {
    return this.entries[name];
  }

  names(): string[] {
    return Object.keys(this.entries).sort();
  }

  /** Stores `value`; false when the flash is full. A corrupting fault flips the stored text. */
  put(name: string, value: FlashValue): boolean {
    const previous = this.entries[name];
    this.entries[name] = value;
    if (this.used > this.capacity) {
      if (previous === undefined) delete this.entries[name];
      else this.entries[name] = previous;
      return false;
    }
    this.writes++;
    if (this.writes === this.corruptAt && (value.type === 'string' || value.type === 'bytes')) {
      this.entries[name] = { ...value, value: corrupt(value.value) };
      this.corrupted++;
    }
    this.save();
    return true;
  }

  remove(name: string): void {
    if (!(name in this.entries)) return;
    delete this.entries[name];
    this.writes++;
    this.save();
  }

  private save(): void {
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.entries));
    renameSync(temporary, this.path);
  }

  // ---- Moddable Preference

  static preferenceName(domain: string, key: string): string {
    return `pref:${domain}/${key}`;
  }

  /** Checks Preference's limits; throws a RangeError naming the bad part. */
  static checkPreference(domain: string, key: string, bytes = 0): void {
    for (const [what, name] of [['domain', domain], ['key', key]] as const) {
      if (name.length < 1 || name.length > PREFERENCE_NAME_MAX) throw new RangeError(`Preference ${what} "${name}" expected 1-${PREFERENCE_NAME_MAX} characters`);
    }
    if (bytes > PREFERENCE_VALUE_MAX) throw new RangeError(`Preference value of ${domain}/${key} expected at most ${PREFERENCE_VALUE_MAX} bytes, got ${bytes}`);
  }

  // ---- Espruino Storage

  static storageName(name: string): string {
    if (name.length < 1 || name.length > STORAGE_NAME_MAX) throw new RangeError(`Storage name "${name}" expected 1-${STORAGE_NAME_MAX} characters`);
    return `file:${name}`;
  }
}

/** A torn write: the second half of the text is lost and replaced by garbage of the same length. */
function corrupt(text: string): string {
  const half = Math.floor(text.length / 2);
  return text.slice(0, half) + '#'.repeat(text.length - half);
}
