// A scanner for the regular-expression syntax Espruino's matcher silently mishandles. It only needs
// to recognise constructs, not to match, so it walks the pattern once, skipping escapes and
// character classes (where `{`, `(` and `\b` mean something else).

/** A construct found in a pattern, with its offset in the pattern text. */
export interface RegexConstruct {
  feature: string;
  offset: number;
}

const supportedFlags = new Set(['g', 'i', 'm']);

/** Lists the constructs in `pattern`/`flags` that Espruino does not handle. */
export function unsupportedRegex(pattern: string, flags: string): RegexConstruct[] {
  const found: RegexConstruct[] = [];
  for (const flag of flags) if (!supportedFlags.has(flag)) found.push({ feature: `regex flag '${flag}'`, offset: -1 });
  let i = 0;
  let afterQuantifier = false;
  while (i < pattern.length) {
    const char = pattern[i]!;
    const start = i;
    let quantifier = false;
    if (char === '\\') {
      const next = pattern[i + 1];
      if (next === 'b' || next === 'B') found.push({ feature: `regex word boundary \\${next}`, offset: start });
      if (next === 'k' && pattern[i + 2] === '<') found.push({ feature: 'regex named backreference \\k<>', offset: start });
      i += 2;
    } else if (char === '[') {
      i++;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      i++;
    } else if (char === '(') {
      const head = pattern.slice(i, i + 4);
      if (head.startsWith('(?:')) found.push({ feature: 'regex non-capturing group (?:)', offset: start });
      else if (head.startsWith('(?=') || head.startsWith('(?!')) found.push({ feature: 'regex lookahead', offset: start });
      else if (head.startsWith('(?<=') || head.startsWith('(?<!')) found.push({ feature: 'regex lookbehind', offset: start });
      else if (head.startsWith('(?<')) found.push({ feature: 'regex named group (?<name>)', offset: start });
      // The `?` of a group prefix is not a quantifier.
      i += pattern[i + 1] === '?' ? 2 : 1;
    } else if (char === '{') {
      const bound = /^\{\d+(,\d*)?\}/.exec(pattern.slice(i));
      if (bound) {
        found.push({ feature: 'regex bounded quantifier {n,m}', offset: start });
        i += bound[0].length;
        quantifier = true;
      } else i++;
    } else if (char === '*' || char === '+' || char === '?') {
      if (char === '?' && afterQuantifier) found.push({ feature: 'regex lazy quantifier', offset: start });
      quantifier = !(char === '?' && afterQuantifier);
      i++;
    } else i++;
    afterQuantifier = quantifier;
  }
  return found;
}
