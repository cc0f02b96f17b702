// "Did you mean …?": the nearest known name to a misspelt one, by edit distance.

/** Optimal string alignment distance (Levenshtein plus the swap of two adjacent characters). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate closest to `name`, or undefined when none is close enough to be a plausible typo
 * (at most a third of the name's length in edits, at least one). A candidate that starts with
 * `name` wins outright: `--update` means `--update-baseline`.
 */
export function nearest(name: string, candidates: readonly string[]): string | undefined {
  if (typeof name !== 'string') throw new TypeError(`"name" expected a string, got ${typeof name}`);
  const prefixed = candidates.filter((candidate) => name.length >= 3 && candidate.startsWith(name));
  if (prefixed.length === 1) return prefixed[0];
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}
