// Where the CLI writes, and how: colour only on a terminal and never with NO_COLOR set
// (no-color.org), a redrawn progress bar when stdout is a terminal, plain lines otherwise (logs,
// CI, pipes). Progress goes to stderr so stdout stays the command's result (JSON with --json).

/** The streams a command writes to and what they are. */
export interface Terminal {
  out(text: string): void;
  err(text: string): void;
  /** stdout is a terminal (a person is watching) */
  readonly interactive: boolean;
  /** colour escapes are allowed on stderr and stdout */
  readonly color: boolean;
  /** width of the terminal, 80 when unknown */
  readonly columns: number;
}

/** Colour is off when NO_COLOR is set to anything but the empty string, or when `isTTY` is false. */
export function colorAllowed(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  return isTTY && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/** The process's own streams. */
export function processTerminal(): Terminal {
  const interactive = process.stdout.isTTY === true && process.stderr.isTTY === true;
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    interactive,
    color: colorAllowed(process.env, interactive),
    columns: process.stdout.columns || 80,
  };
}

/** A terminal that collects what is written (tests, and commands that call other commands quietly). */
export function memoryTerminal(): Terminal & { readonly stdout: string; readonly stderr: string } {
  let stdout = '';
  let stderr = '';
  return {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    interactive: false,
    color: false,
    columns: 80,
    get stdout() { return stdout; },
    get stderr() { return stderr; },
  };
}

/** The styles the CLI uses. */
export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';

const SGR: Readonly<Record<Style, [number, number]>> = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] };

/** `text` in `style` when the terminal allows colour, else unchanged. */
export function paint(terminal: Pick<Terminal, 'color'>, style: Style, text: string): string {
  if (!terminal.color) return text;
  const [on, off] = SGR[style];
  return `\u001b[${on}m${text}\u001b[${off}m`;
}

/** A progress indicator over `total` steps. */
export interface Progress {
  /** `done` steps are finished; `note` says what runs now. */
  update(done: number, note: string): void;
  /** Clears the bar (a terminal) or prints the last line (plain). */
  finish(note: string): void;
}

/**
 * A progress bar on stderr: redrawn in place on a terminal; otherwise a plain line at each new
 * step and at most one every `plainEveryMs` within a step, so a CI log reads as a list of steps.
 */
export function progress(terminal: Terminal, label: string, total: number, plainEveryMs = 10_000, clock: () => number = Date.now): Progress {
  if (!Number.isSafeInteger(total) || total < 1) throw new RangeError(`"total" expected a positive integer, got ${total}`);
  const width = 24;
  let lastStep = -1;
  let lastPlain = -Infinity;
  return {
    update(done, note) {
      const clamped = Math.max(0, Math.min(total, done));
      if (terminal.interactive) {
        const filled = Math.round((clamped / total) * width);
        const bar = paint(terminal, 'cyan', '█'.repeat(filled)) + paint(terminal, 'dim', '░'.repeat(width - filled));
        const prefix = `${label} ${'x'.repeat(width)} ${clamped}/${total} `;
        const room = Math.max(0, terminal.columns - prefix.length - 1);
        terminal.err(`\r\u001b[2K${label} ${bar} ${clamped}/${total} ${note.length > room ? note.slice(0, Math.max(0, room - 1)) + '…' : note}`);
        return;
      }
      const now = clock();
      if (clamped !== lastStep || now - lastPlain >= plainEveryMs) {
        terminal.err(`${label}: [${clamped}/${total}] ${note}\n`);
        lastStep = clamped;
        lastPlain = now;
      }
    },
    finish(note) {
      if (terminal.interactive) terminal.err('\r\u001b[2K');
      else terminal.err(`${label}: [${total}/${total}] ${note}\n`);
    },
  };
}
