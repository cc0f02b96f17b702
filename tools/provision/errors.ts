/**
 * The structured error of `micromine provision` and `micromine flash`: a stable code, the place it
 * concerns (an option, a file, a port, a Storage file) and what to do about it. The CLIs print
 * all three and map them to the exit codes of docs/cli.md ({@link exitStatusOf}).
 * @module
 */

/** Stable error codes of the provisioning and flashing tools. */
export type ToolErrorCode =
  | 'usage'
  | 'bad_input'
  | 'io'
  | 'node_unreachable'
  | 'node_refused'
  | 'unauthorized'
  | 'conflict'
  | 'unknown_target'
  | 'unknown_board'
  | 'missing_image'
  | 'port_unreachable'
  | 'no_answer'
  | 'wrong_runtime'
  | 'incompatible_version'
  | 'upload_failed'
  | 'verify_failed'
  | 'env_missing'
  | 'toolchain_failed';

/** Optional context of a {@link ToolError}. */
export interface ToolErrorDetails {
  /** The option, file, port or record the error is about. */
  readonly where?: string;
  /** What the user can do about it. */
  readonly hint?: string;
}

/** An error with a stable code, a location and a hint. */
export class ToolError extends Error {
  readonly code: ToolErrorCode;
  readonly where: string | undefined;
  readonly hint: string | undefined;

  constructor(code: ToolErrorCode, message: string, details: ToolErrorDetails = {}) {
    super(message);
    this.name = 'ToolError';
    this.code = code;
    this.where = details.where;
    this.hint = details.hint;
  }
}

/** Human text of an error for a CLI: the message, then `where` and `hint` lines when known. */
export function formatError(error: unknown): string {
  if (!(error instanceof ToolError)) return 'error: ' + (error instanceof Error ? error.message : String(error));
  let text = `error [${error.code}]: ${error.message}`;
  if (error.where !== undefined) text += `\n  where: ${error.where}`;
  if (error.hint !== undefined) text += `\n  hint: ${error.hint}`;
  return text;
}

const INPUT_CODES: ReadonlySet<ToolErrorCode> = new Set(['usage', 'bad_input', 'unknown_target', 'unknown_board', 'missing_image']);
const ENVIRONMENT_CODES: ReadonlySet<ToolErrorCode> = new Set(['node_unreachable', 'port_unreachable', 'no_answer', 'env_missing']);

/**
 * Exit status for an error thrown out of a CLI's work, as every micromine command uses them
 * (docs/cli.md): 2 for usage and input errors, 3 when the machine is not ready (node, board or
 * toolchain unreachable or missing), 1 otherwise.
 */
export function exitStatusOf(error: unknown): number {
  if (!(error instanceof ToolError)) return 1;
  return INPUT_CODES.has(error.code) ? 2 : ENVIRONMENT_CODES.has(error.code) ? 3 : 1;
}
