/**
 * Frames between the driver and the device host (the C side is src/wire.c): a little-endian
 * u32 body length, then the body, whose first byte is the frame type. Values inside a body are
 * tagged: `u` undefined, `n` null, `f`/`t` booleans, `d` f64, `s` UTF-8 string, `b` bytes,
 * each variable-length field prefixed by its u32 length.
 * @module
 */

/** A value that crosses between Node and the VM. Byte containers arrive as Uint8Array. */
export type EngineValue = undefined | null | boolean | number | string | Uint8Array;

/** Builds one frame. */
export class FrameWriter {
  private buffer: Buffer;
  private size = 4;

  constructor(type: string, capacity = 256) {
    this.buffer = Buffer.allocUnsafe(Math.max(capacity, 16));
    this.buffer[this.size++] = type.charCodeAt(0);
  }

  private reserve(more: number): void {
    if (this.size + more <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.size + more) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    this.buffer.copy(grown, 0, 0, this.size);
    this.buffer = grown;
  }

  u8(value: number): this {
    this.reserve(1);
    this.buffer[this.size++] = value;
    return this;
  }

  u32(value: number): this {
    this.reserve(4);
    this.buffer.writeUInt32LE(value, this.size);
    this.size += 4;
    return this;
  }

  f64(value: number): this {
    this.reserve(8);
    this.buffer.writeDoubleLE(value, this.size);
    this.size += 8;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.u32(value.length);
    this.reserve(value.length);
    this.buffer.set(value, this.size);
    this.size += value.length;
    return this;
  }

  string(value: string): this {
    const length = Buffer.byteLength(value, 'utf8');
    this.u32(length);
    this.reserve(length);
    this.buffer.write(value, this.size, length, 'utf8');
    this.size += length;
    return this;
  }

  value(value: EngineValue): this {
    if (value === undefined) return this.u8(0x75);
    if (value === null) return this.u8(0x6e);
    if (value === true) return this.u8(0x74);
    if (value === false) return this.u8(0x66);
    if (typeof value === 'number') return this.u8(0x64).f64(value);
    if (typeof value === 'string') return this.u8(0x73).string(value);
    return this.u8(0x62).bytes(value);
  }

  /** The finished frame (a view on the writer's buffer). */
  finish(): Buffer {
    this.buffer.writeUInt32LE(this.size - 4, 0);
    return this.buffer.subarray(0, this.size);
  }
}

/** Reads fields of one frame body in order. */
export class FrameReader {
  offset = 1;
  constructor(readonly body: Buffer) {}

  get type(): string {
    return String.fromCharCode(this.body[0]!);
  }

  u8(): number {
    return this.body[this.offset++]!;
  }

  u32(): number {
    const value = this.body.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  bytes(): Uint8Array {
    const length = this.u32();
    // A copy: the body's buffer is reused for later input.
    const value = new Uint8Array(this.body.subarray(this.offset, this.offset + length));
    this.offset += length;
    return value;
  }

  string(): string {
    const length = this.u32();
    const value = this.body.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  value(): EngineValue {
    const tag = this.u8();
    switch (tag) {
      case 0x75: return undefined;
      case 0x6e: return null;
      case 0x74: return true;
      case 0x66: return false;
      case 0x64: {
        const value = this.body.readDoubleLE(this.offset);
        this.offset += 8;
        return value;
      }
      case 0x73: return this.string();
      case 0x62: return this.bytes();
      default: throw new Error(`device host sent an unknown value tag ${tag}`);
    }
  }
}

/** Splits a byte stream into frame bodies. */
export class FrameSplitter {
  private pending: Buffer | undefined;

  /** Returns the complete frame bodies in `chunk` (plus what earlier chunks left). */
  push(chunk: Buffer): Buffer[] {
    let data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    const bodies: Buffer[] = [];
    while (data.length >= 4) {
      const length = data.readUInt32LE(0);
      if (data.length < 4 + length) break;
      bodies.push(data.subarray(4, 4 + length));
      data = data.subarray(4 + length);
    }
    this.pending = data.length ? data : undefined;
    return bodies;
  }
}
