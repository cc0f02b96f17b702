/**
 * Structured decode errors: decoders return them instead of throwing, so that bad bytes from
 * the network always end as a value the caller can classify. An error is three numbers and no
 * text: a device only logs it, and host code (protocol/messages.ts) names and words it for people.
 * @module
 */

// What kind of defect a decoder found. Numbers, not names, so that an image carries no word for
// them; protocol/messages.ts names each (`decodeErrorName`: DECODE_TRUNCATED is `truncated`).

/** fewer bytes than the format needs */
export const DECODE_TRUNCATED = 1;
/** bytes left over after the format ends */
export const DECODE_OVERSIZED = 2;
/** a version or flag this code does not know */
export const DECODE_UNSUPPORTED = 3;
/** a field holds a value the format forbids */
export const DECODE_INVALID = 4;
/** well-formed, but asks for a capability this device lacks (signature checks on a hash-tier device) */
export const DECODE_TIER = 5;

/** One of the DECODE_* codes. */
export type DecodeErrorCode = typeof DECODE_TRUNCATED | typeof DECODE_OVERSIZED | typeof DECODE_UNSUPPORTED | typeof DECODE_INVALID | typeof DECODE_TIER;

/** A decode failure naming the field and its byte offset in the decoded buffer. */
export interface DecodeError {
  code: DecodeErrorCode;
  /** a FIELD_* id of layout.ts */
  field: number;
  offset: number;
}

/** Either the decoded value or why it could not be decoded. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

/** Builds a decode error: what went wrong with `field`, at `offset`. */
export function decodeError(code: DecodeErrorCode, field: number, offset: number): DecodeError {
  return { code: code, field: field, offset: offset };
}

/** Builds a failed decode. */
export function failure<T>(code: DecodeErrorCode, field: number, offset: number): Decoded<T> {
  return { ok: false, error: decodeError(code, field, offset) };
}

/** DECODE_TRUNCATED (at the end of the data) or DECODE_OVERSIZED (at `size`) unless `data` is exactly `size` bytes, else null. */
export function sizeError(data: Uint8Array, size: number, field: number): DecodeError | null {
  if (data.length === size) return null;
  return data.length < size ? decodeError(DECODE_TRUNCATED, field, data.length) : decodeError(DECODE_OVERSIZED, field, size);
}

/** Fails as {@link sizeError} says unless `data` is exactly `size` bytes. */
export function checkSize<T>(data: Uint8Array, size: number, field: number): Decoded<T> | undefined {
  const error = sizeError(data, size, field);
  return error === null ? undefined : { ok: false, error: error };
}

/** A decode error for a device log: `4 14@201` (code, field id, offset; protocol/messages.ts has the words). */
export function errorText(error: DecodeError): string {
  return error.code + ' ' + error.field + '@' + error.offset;
}
