// Exit codes and the one error type the CLI's own commands throw. Every part maps its failures
// onto the same codes (docs/cli.md), so scripts can tell "the check failed" from "you called it
// wrong" from "this machine is not ready".

/** The exit codes of every `micromine` command. */
export const EXIT = {
  /** the command did what was asked and every check passed */
  ok: 0,
  /** a check or the work failed: a lint finding, a figure over budget, a rejected transfer, an inconsistent chain */
  failed: 1,
  /** usage or input error: unknown command or flag, bad value, missing or unreadable input file, unknown profile */
  usage: 2,
  /** the machine is not ready: port in use, data directory not ours or in use, engine or toolchain missing, node unreachable */
  environment: 3,
  /** stopped by Ctrl-C (SIGINT) */
  interrupted: 130,
} as const;

/** One of {@link EXIT}'s values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What kind of problem a {@link CliError} is; decides its exit code. */
export type CliErrorKind = 'usage' | 'input' | 'environment' | 'failed';

const CODE_OF: Readonly<Record<CliErrorKind, ExitCode>> = { usage: EXIT.usage, input: EXIT.usage, environment: EXIT.environment, failed: EXIT.failed };

/** An error the CLI reports as one line naming the problem, and a hint. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(readonly kind: CliErrorKind, message: string, readonly hint?: string) {
    super(message);
  }

  /** The exit code this error ends the command with. */
  get exitCode(): ExitCode {
    return CODE_OF[this.kind];
  }
}
