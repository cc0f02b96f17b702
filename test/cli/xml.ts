// A strict well-formedness check for the XML the report writes (no DTD, no CDATA needed): one
// root element, every tag closed in order, attributes quoted and unique, only the five
// predefined entities or character references, no stray `<` or `&`. Returns the element names
// in document order, or throws naming the offset of the first fault.

const NAME = /^[A-Za-z_][\w.:-]*/;

function checkText(text: string, at: number): void {
  const stray = text.search(/<|&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/);
  if (stray >= 0) throw new Error(`XML: stray "${text[stray]}" at offset ${at + stray}`);
}

/** Parses `xml`; throws on the first fault; returns the element names in order. */
export function checkWellFormed(xml: string): string[] {
  const names: string[] = [];
  const open: string[] = [];
  let i = 0;
  let rootClosed = false;
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) throw new Error('XML: unterminated declaration');
    i = end + 2;
  }
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    checkText(text, i);
    if (open.length === 0 && text.trim() !== '') throw new Error(`XML: text outside the root at offset ${i}`);
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt);
      if (end < 0) throw new Error(`XML: unterminated comment at offset ${lt}`);
      i = end + 3;
      continue;
    }
    const gt = xml.indexOf('>', lt);
    if (gt < 0) throw new Error(`XML: unterminated tag at offset ${lt}`);
    const tag = xml.slice(lt + 1, gt);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      if (open.pop() !== name) throw new Error(`XML: </${name}> at offset ${lt} does not close the open element`);
      if (open.length === 0) rootClosed = true;
    } else {
      if (rootClosed || (open.length === 0 && names.length > 0)) throw new Error(`XML: a second root element at offset ${lt}`);
      const selfClosing = tag.endsWith('/');
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const name = NAME.exec(body)?.[0];
      if (name === undefined) throw new Error(`XML: bad element name at offset ${lt}`);
      let rest = body.slice(name.length);
      const seen = new Set<string>();
      while (rest.trim() !== '') {
        const attribute = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(rest);
        if (attribute === null) throw new Error(`XML: bad attribute in <${name}> at offset ${lt}`);
        if (seen.has(attribute[1]!)) throw new Error(`XML: attribute ${attribute[1]} twice in <${name}> at offset ${lt}`);
        seen.add(attribute[1]!);
        checkText(attribute[3] ?? attribute[4] ?? '', lt);
        rest = rest.slice(attribute[0].length);
      }
      names.push(name);
      if (selfClosing) {
        if (open.length === 0) rootClosed = true;
      } else open.push(name);
    }
    i = gt + 1;
  }
  if (open.length > 0) throw new Error(`XML: <${open[open.length - 1]}> is never closed`);
  if (!rootClosed) throw new Error('XML: no root element');
  return names;
}
