/**
 * The console line discipline of the stand-in boards, as the uploader sees it over telnet or a
 * serial port. `EspruinoConsole` follows Espruino's interactive console: characters echo unless
 * the line began with DLE (0x10); a line runs when Enter arrives with its brackets closed (else
 * `:` continues it); Esc+LF adds a newline without running; Esc [ n d sets a line number; Ctrl-C
 * clears the line; output first removes the shown prompt; a run line prints `=result`, then the
 * `>` prompt returns; `\n` goes out as `\r\n`. `ForeignConsole` answers like a MicroPython REPL, to
 * stand for a board that runs some other runtime.
 * @module
 */
import type { StandinBoard } from './board.ts';

/** A console: bytes in, bytes out through `output`. */
export interface StandinConsole {
  input(data: string): void;
  output: (text: string) => void;
}

/** Bracket depth of `code` outside strings and comments (how Espruino decides a line is complete). */
function bracketDepth(code: string): number {
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      for (i++; i < code.length && code[i] !== ch; i++) if (code[i] === '\\') i++;
    } else if (ch === '/' && code[i + 1] === '/') {
      while (i < code.length && code[i] !== '\n') i++;
    } else if (ch === '/' && code[i + 1] === '*') {
      const end = code.indexOf('*/', i + 2);
      i = end < 0 ? code.length : end + 1;
    } else if (ch === '(' || ch === '{' || ch === '[') depth++;
    else if (ch === ')' || ch === '}' || ch === ']') depth--;
  }
  return depth;
}

/** Espruino's REPL formatting of a result (`=...`), close enough for a human reading the log. */
function formatResult(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'function () { [native code] }';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Espruino's console, bound to a stand-in board. */
export class EspruinoConsole implements StandinConsole {
  output: (text: string) => void = () => {};
  private line = '';
  private echoOffForLine = false;
  private promptRemoved = true;
  private escape: '' | 'esc' | 'csi' = '';

  constructor(private readonly board: StandinBoard) {
    board.onOutput = (printed) => {
      this.removePrompt();
      this.emit(printed);
    };
  }

  input(data: string): void {
    for (const ch of data) this.char(ch);
    this.returnPrompt();
  }

  private emit(text: string): void {
    this.output(text.replace(/\r?\n/g, '\r\n'));
  }

  private echo(): boolean {
    return !this.echoOffForLine;
  }

  private removePrompt(): void {
    if (this.promptRemoved) return;
    this.promptRemoved = true;
    if (this.echo()) this.output('\r\x1b[J');
  }

  private returnPrompt(): void {
    if (!this.promptRemoved) return;
    this.promptRemoved = false;
    if (this.echo()) this.output('>' + this.line.replace(/\n/g, '\r\n:'));
  }

  private char(ch: string): void {
    if (this.escape === 'esc') {
      this.escape = ch === '[' ? 'csi' : '';
      if (ch === '\n') this.line += '\n';
      return;
    }
    if (this.escape === 'csi') {
      if (!/[0-9]/.test(ch)) this.escape = '';
      return;
    }
    if (ch === '\x1b') this.escape = 'esc';
    else if (ch === '\x03') {
      this.removePrompt();
      this.line = '';
      this.echoOffForLine = false;
    } else if (ch === '\x10' && this.line === '') this.echoOffForLine = true;
    else if (ch === '\r' || ch === '\n') this.newLine();
    else if (ch === '\x08' || ch === '\x7f') this.line = this.line.slice(0, -1);
    else if (ch >= ' ' || ch === '\t') {
      this.line += ch;
      if (this.echo() && !this.promptRemoved) this.output(ch);
    }
  }

  private newLine(): void {
    if (bracketDepth(this.line) > 0) {
      if (this.echo()) this.output('\r\n:');
      this.line += '\n';
      return;
    }
    const code = this.line.trimEnd();
    this.line = '';
    if (this.echo()) {
      this.output('\r\n');
      this.promptRemoved = true;
    }
    try {
      const value = code === '' ? undefined : this.board.run(code);
      if (this.echo() && code !== '') this.emit('=' + formatResult(value) + '\n');
    } catch (error) {
      this.removePrompt();
      this.emit(`Uncaught ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    }
    this.echoOffForLine = false;
  }
}

/** A console that answers like a MicroPython REPL: the wrong runtime. */
export class ForeignConsole implements StandinConsole {
  output: (text: string) => void = () => {};
  private line = '';

  input(data: string): void {
    for (const ch of data) {
      if (ch === '\x03') {
        this.line = '';
        this.output('\r\nKeyboardInterrupt\r\n>>> ');
      } else if (ch === '\r' || ch === '\n') {
        const line = this.line.trim();
        this.line = '';
        this.output(line === '' ? '\r\n>>> ' : '\r\nTraceback (most recent call last):\r\n  File "<stdin>", line 1\r\nSyntaxError: invalid syntax\r\n>>> ');
      } else if (ch >= ' ') {
        this.line += ch;
        this.output(ch);
      }
    }
  }
}
