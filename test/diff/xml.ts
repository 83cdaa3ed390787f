/**
 * A small, strict XML reader for checking JUnit reports without a dependency: elements,
 * attributes, text, the prolog and comments. It throws on anything that is not well-formed XML 1.0
 * (unbalanced or crossed tags, unquoted or repeated attributes, a raw `<` or `&`, an unknown entity,
 * control characters, more than one root), which is what a CI server's JUnit parser would reject.
 */

/** An element with its attributes, child elements and text (entities decoded). */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes entity references, refusing a raw `&` or an unknown entity. */
function decode(raw: string, where: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids exactly these characters.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(raw)) throw new Error(`${where}: control character in XML text`);
  return raw.replace(/&([^;\s&<]*);?/g, (match, entity: string) => {
    if (!match.endsWith(';')) throw new Error(`${where}: raw '&' (write &amp;)`);
    if (entity in ENTITIES) return ENTITIES[entity] ?? '';
    const decimal = /^#(\d+)$/.exec(entity)?.[1];
    const hex = /^#x([0-9a-fA-F]+)$/.exec(entity)?.[1];
    if (decimal === undefined && hex === undefined) throw new Error(`${where}: unknown entity &${entity};`);
    return String.fromCodePoint(decimal !== undefined ? Number(decimal) : Number.parseInt(hex ?? '', 16));
  });
}

/** Parses a whole document and returns its root element. */
export function parseXml(text: string): XmlElement {
  let at = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (message: string): never => {
    throw new Error(`XML offset ${at}: ${message}`);
  };
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>');
    if (end < 0) fail('unterminated prolog');
    at = end + 2;
  }
  while (at < text.length) {
    const next = text.indexOf('<', at);
    const chunk = text.slice(at, next < 0 ? text.length : next);
    if (stack.length === 0) {
      if (chunk.trim() !== '') fail(`text outside the root element: ${JSON.stringify(chunk.slice(0, 40))}`);
    } else {
      const top = stack.at(-1) as XmlElement;
      top.text += decode(chunk, `<${top.name}>`);
    }
    if (next < 0) break;
    at = next;
    if (text.startsWith('<!--', at)) {
      const end = text.indexOf('-->', at);
      if (end < 0) fail('unterminated comment');
      at = end + 3;
      continue;
    }
    if (text.startsWith('</', at)) {
      const name = NAME.exec(text.slice(at + 2))?.[0] ?? fail('closing tag without a name');
      const close = text.indexOf('>', at);
      if (text.slice(at + 2 + name.length, close).trim() !== '') fail(`junk in </${name}>`);
      const open = stack.pop();
      if (open?.name !== name) fail(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      at = close + 1;
      continue;
    }
    at += 1;
    const name = NAME.exec(text.slice(at))?.[0] ?? fail('tag without a name');
    at += name.length;
    const attributes: Record<string, string> = {};
    for (;;) {
      const space = /^\s*/.exec(text.slice(at))?.[0] ?? '';
      at += space.length;
      if (text.startsWith('/>', at) || text.startsWith('>', at)) break;
      if (space === '') fail(`attributes of <${name}> must be separated by white space`);
      const attribute = NAME.exec(text.slice(at))?.[0] ?? fail(`bad attribute in <${name}>`);
      at += attribute.length;
      const quoted = /^\s*=\s*(["'])/.exec(text.slice(at)) ?? fail(`attribute ${attribute} of <${name}> has no quoted value`);
      at += quoted[0].length;
      const quote = quoted[1] as string;
      const end = text.indexOf(quote, at);
      if (end < 0) fail(`unterminated value of ${attribute}`);
      const raw = text.slice(at, end);
      if (raw.includes('<')) fail(`raw '<' in attribute ${attribute} of <${name}>`);
      if (attribute in attributes) fail(`attribute ${attribute} repeated in <${name}>`);
      attributes[attribute] = decode(raw, `<${name} ${attribute}>`);
      at = end + 1;
    }
    const element: XmlElement = { name, attributes, children: [], text: '' };
    if (stack.length === 0) {
      if (root) fail('a second root element');
      root = element;
    } else {
      stack.at(-1)?.children.push(element);
    }
    if (text.startsWith('/>', at)) at += 2;
    else {
      at += 1;
      stack.push(element);
    }
  }
  if (stack.length > 0) fail(`<${stack.at(-1)?.name}> is never closed`);
  return root ?? fail('no root element');
}

/** Every element named `name` below `element` (depth first). */
export function findAll(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [...(child.name === name ? [child] : []), ...findAll(child, name)]);
}
