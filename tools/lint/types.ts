/** The runtimes the lint knows. */
export type Runtime = 'espruino' | 'xs';

/** A place in a file: 1-based line and 1-based column. */
export interface Position {
  file: string;
  line: number;
  column: number;
}

/** One use of something the target runtime lacks. */
export interface Finding {
  /** Stable rule id, e.g. `optional-chaining`; the catalogue is in docs/lint.md. */
  rule: string;
  /** The language feature or API found, e.g. `optional chaining ?.` or `Array.from`. */
  feature: string;
  /** What goes wrong on the runtime. */
  message: string;
  /** What to do about it. */
  hint: string;
  /** Where it is in the linted code. */
  emitted: Position;
  /** Where it came from, when a source map says so. */
  source?: Position;
}

/** A rule's verdict before positions are attached. */
export interface Hit {
  rule: string;
  feature: string;
  /** The node (or any object with acorn `loc`) to report at. */
  at: { loc?: { start: { line: number; column: number } } | null };
  /** Extra column offset inside the node (used inside regex literals). */
  offset?: number;
  /** Overrides the rule's message (for rules whose text depends on the API found). */
  message?: string;
  /** Overrides the rule's hint. */
  hint?: string;
}
