/**
 * Structured errors of the trusted node. Every refusal carries a stable machine code, the
 * place it concerns (a field, a block height, a file) and, where one helps, a hint. The HTTP
 * layer maps codes to statuses; the CLI prints the message and the hint.
 * @module
 */

/** Stable error codes; the HTTP status each maps to is in {@link STATUS_OF}. */
export type NodeErrorCode =
  | 'bad_request'
  | 'bad_field'
  | 'bad_json'
  | 'unauthorized'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'tx_rejected'
  | 'mempool_full'
  | 'data_dir'
  | 'chain_mismatch'
  | 'store'
  | 'listen'
  | 'unreachable'
  | 'internal';

/** HTTP status for each code (a CLI run exits 1 for all of them). */
export const STATUS_OF: Readonly<Record<NodeErrorCode, number>> = {
  bad_request: 400,
  bad_field: 400,
  bad_json: 400,
  unauthorized: 401,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  tx_rejected: 422,
  mempool_full: 503,
  data_dir: 500,
  chain_mismatch: 500,
  store: 500,
  listen: 500,
  unreachable: 502,
  internal: 500,
};

/** Optional context of a {@link NodeError}. */
export interface NodeErrorDetails {
  /** The input field, file or record the error is about (e.g. `"key"`, `"blocks[12]"`). */
  readonly where?: string;
  /** What the caller can do about it. */
  readonly hint?: string;
  /** A finer machine-readable cause, e.g. a transaction rejection reason. */
  readonly reason?: string;
}

/** An error with a stable code, a location and a hint; see {@link NodeErrorCode}. */
export class NodeError extends Error {
  readonly code: NodeErrorCode;
  readonly where: string | undefined;
  readonly hint: string | undefined;
  readonly reason: string | undefined;

  constructor(code: NodeErrorCode, message: string, details: NodeErrorDetails = {}) {
    super(message);
    this.name = 'NodeError';
    this.code = code;
    this.where = details.where;
    this.hint = details.hint;
    this.reason = details.reason;
  }

  /** The HTTP status this error answers with. */
  get status(): number {
    return STATUS_OF[this.code];
  }

  /** The JSON body an HTTP client receives. */
  toJSON(): { code: NodeErrorCode; message: string; where?: string; hint?: string; reason?: string } {
    return {
      code: this.code,
      message: this.message,
      ...(this.where === undefined ? {} : { where: this.where }),
      ...(this.reason === undefined ? {} : { reason: this.reason }),
      ...(this.hint === undefined ? {} : { hint: this.hint }),
    };
  }
}

/** Shorthand for a `bad_field` error naming the field. */
export function badField(field: string, message: string, hint?: string): NodeError {
  return new NodeError('bad_field', `"${field}" ${message}`, { where: field, ...(hint === undefined ? {} : { hint }) });
}

/**
 * The exit code of a node error, as every micromine command uses them (docs/cli.md): 3 when the
 * machine is not ready (a port in use, a data directory not ours or in use, a node unreachable),
 * 2 for bad input (a field, a file, a conflicting registration), 1 otherwise.
 */
export function exitCodeOf(error: NodeError): number {
  if (error.code === 'listen' || error.code === 'data_dir' || error.code === 'unreachable') return 3;
  return error.code === 'bad_request' || error.code === 'bad_field' || error.code === 'bad_json' || error.code === 'conflict' ? 2 : 1;
}
