/**
 * Structured decode errors: decoders return them instead of throwing, so that bad bytes from
 * the network always end as a value the caller can classify. An error is three small values and
 * no text: a device only logs it, and host code (protocol/messages.ts) words it for people.
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
  /** a FIELD_* id of layout.ts */
  field: number;
  offset: number;
}

/** Either the decoded value or why it could not be decoded. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

/** Builds a failed decode. */
export function failure<T>(code: DecodeErrorCode, field: number, offset: number): Decoded<T> {
  return { ok: false, error: { code: code, field: field, offset: offset } };
}

/** Fails with `truncated` (at the end of the data) or `oversized` (at `size`) unless `data` is exactly `size` bytes. */
export function checkSize<T>(data: Uint8Array, size: number, field: number): Decoded<T> | undefined {
  if (data.length !== size) return data.length < size ? failure<T>('truncated', field, data.length) : failure<T>('oversized', field, size);
  return undefined;
}

/** A decode error for a device log: `invalid 14@201` (code, field id, offset; protocol/messages.ts has the words). */
export function errorText(error: DecodeError): string {
  return error.code + ' ' + error.field + '@' + error.offset;
}
