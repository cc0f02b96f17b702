/**
 * The one source of randomness of a run: a seeded generator (splitmix64), forked by label so
 * that adding draws in one place (faults) never shifts another (device keys).
 * @module
 */
import { createHash } from 'node:crypto';

/** A deterministic generator. */
export class Random {
  private state: bigint;

  constructor(seed: number | bigint | string) {
    this.state = BigInt.asUintN(64, BigInt(`0x${createHash('sha256').update(`micromine sim ${seed}`).digest('hex').slice(0, 16)}`));
  }

  /** A generator of its own for `label`, derived from this one's seed. */
  fork(label: string): Random {
    return new Random(`${this.state}/${label}`);
  }

  /** A u32. */
  u32(): number {
    this.state = BigInt.asUintN(64, this.state + 0x9e3779b97f4a7c15n);
    let z = this.state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    z ^= z >> 31n;
    return Number(z & 0xffffffffn);
  }

  /** A float in [0, 1). */
  next(): number {
    return this.u32() / 2 ** 32;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  bytes(count: number): Uint8Array {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i += 4) {
      const word = this.u32();
      for (let j = 0; j < 4 && i + j < count; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  }
}
