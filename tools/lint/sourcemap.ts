// Mapping emitted positions back to the sources through a source map: given as an object or JSON
// text, inline in the code as a data URL, or (for files) next to the file or named by its
// sourceMappingURL comment.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import type { Position } from './types.ts';

/** A source map in any of the forms lintCode accepts. */
export type SourceMapInput = string | object | TraceMap;

/** The sourceMappingURL comment at the end of `code`, if any (an inline map can be megabytes long). */
export function sourceMappingUrl(code: string): string | undefined {
  const at = Math.max(code.lastIndexOf('//# sourceMappingURL='), code.lastIndexOf('//@ sourceMappingURL='));
  if (at < 0) return undefined;
  return /^\/\/[#@] sourceMappingURL=(\S+)\s*$/.exec(code.slice(at))?.[1];
}

/** Decodes a `data:application/json;base64,` (or percent-encoded) URL; undefined for other URLs. */
export function decodeDataUrl(url: string): string | undefined {
  const match = /^data:application\/json[^,]*?(;base64)?,(.*)$/s.exec(url);
  if (!match) return undefined;
  return match[1] ? Buffer.from(match[2]!, 'base64').toString('utf8') : decodeURIComponent(match[2]!);
}

/** Builds a TraceMap; `mapFile` is where the map lives, so relative `sources` resolve against it. */
export function toTraceMap(input: SourceMapInput, mapFile: string): TraceMap {
  if (input instanceof TraceMap) return input;
  return new TraceMap(input as ConstructorParameters<typeof TraceMap>[0], resolve(mapFile));
}

/** Finds a map for a file on disk: inline, named by its comment, or `<file>.map`. */
export function findSourceMap(code: string, file: string): TraceMap | undefined {
  const url = sourceMappingUrl(code);
  if (url) {
    const inline = decodeDataUrl(url);
    if (inline !== undefined) return toTraceMap(inline, file);
    const mapFile = resolve(dirname(file), decodeURIComponent(url));
    if (existsSync(mapFile)) return toTraceMap(readFileSync(mapFile, 'utf8'), mapFile);
  }
  if (existsSync(`${file}.map`)) return toTraceMap(readFileSync(`${file}.map`, 'utf8'), `${file}.map`);
  return undefined;
}

/** The source position of an emitted one (both 1-based line and column), or undefined if unmapped. */
export function originalPosition(map: TraceMap, line: number, column: number): Position | undefined {
  const found = originalPositionFor(map, { line, column: column - 1 });
  if (found.source === null || found.line === null || found.column === null) return undefined;
  const source = found.source.startsWith('file://') ? new URL(found.source).pathname : found.source;
  const rel = isAbsolute(source) ? relative(process.cwd(), source) : source;
  return { file: rel && !rel.startsWith('..') ? rel : source, line: found.line, column: found.column + 1 };
}
