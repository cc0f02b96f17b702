/**
 * What the simulated devices of one process share, so that a thousand of them cost about what
 * their protocol costs: one pacing timer (pacer.ts), one buffer every socket reads into (each
 * chunk is framed before the next read), one buffer entries and headers are decoded into (an
 * entry is judged, a header copied, before the next line), one digest (its result is used before
 * the next hash: digest.ts). A device made without them gets its own.
 * @module
 */
import type { Digest } from '../../firmware/core/digest.ts';
import { MAX_LINE } from '../../protocol/wire.ts';
import { reusingDigest } from './digest.ts';
import { Pacer } from './pacer.ts';

/** See the module comment. */
export interface SharedParts {
  /** On `performance.now`'s clock: devices give it due times on that clock. */
  readonly pacer: Pacer;
  readonly readBuffer: Buffer;
  readonly hexBuffer: Buffer;
  readonly digest: Digest;
}

/** Parts for a fleet of devices in this process: see {@link SharedParts}. */
export function createSharedParts(): SharedParts {
  // Larger than any line (MAX_LINE), so a read holds whole lines and seldom a part of one.
  return { pacer: new Pacer(), readBuffer: Buffer.allocUnsafe(64 * 1024), hexBuffer: Buffer.allocUnsafe(MAX_LINE / 2), digest: reusingDigest() };
}
