/**
 * Structured decode errors: decoders return them instead of throwing, so that bad bytes from
 * the network always end as a value the caller can classify.
 * @module
 */

/** What kind of defect a decoder found. */
export type DecodeErrorCode =
  /** fewer bytes than the format needs */
  | 'truncated'
  /** bytes left over after the format ends */
  | 'oversized'
  /** a version or flag this code does not know */
  | 'unsupported'
  /** a field holds a value the format forbids */
  | 'invalid'
  /** well-formed, but asks for a capability this device lacks (signature checks on a hash-tier device) */
  | 'tier';

/** A decode failure naming the field and its byte offset in the decoded buffer. */
export interface DecodeError {
  code: DecodeErrorCode;
  field: string;
  offset: number;
  /** e.g. `"depth" at offset 201: expected at most 24, got 30` */
  message: string;
}

/** Either the decoded value or why it could not be decoded. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

/** Builds a decode error; the message names the field and the offset. */
export function decodeError(code: DecodeErrorCode, field: string, offset: number, problem: string): DecodeError {
  return { code: code, field: field, offset: offset, message: '"' + field + '" at offset ' + offset + ': ' + problem };
}

/** Builds a failed decode. */
export function failure<T>(code: DecodeErrorCode, field: string, offset: number, problem: string): Decoded<T> {
  return { ok: false, error: decodeError(code, field, offset, problem) };
}

/** Fails with `truncated` or `oversized` unless `data` is exactly `size` bytes. */
export function checkSize<T>(data: Uint8Array, size: number, what: string): Decoded<T> | undefined {
  if (data.length < size) return failure<T>('truncated', what, data.length, 'expected ' + size + ' bytes, got ' + data.length);
  if (data.length > size) return failure<T>('oversized', what, size, 'expected ' + size + ' bytes, got ' + data.length);
  return undefined;
}
