import { Parser } from "htmlparser2";

/** Small helpers shared by the frontend XML parsers (balancer-manager, jkstatus). Pure. */

export interface TXmlHandlers {
  /** An element opened; `depth` 0 is the root. Names are local (prefix removed). */
  open(name: string, attributes: Record<string, string>, depth: number): void;
  /** Character data directly inside the innermost open element (may come in several pieces). */
  text?(text: string): void;
  close(name: string, depth: number): void;
}

/**
 * Reads a status document as a stream of events (htmlparser2 in XML mode): a 1,000-member document
 * is read about ten times faster than by building a tree first, and the poll of a large frontend is
 * mostly this read. htmlparser2 forgives what XML does not, so well-formedness is checked here: every
 * element must be closed by its own end tag (or be self-closing), else `malformed` is thrown. Entity
 * decoding is the caller's choice (jkstatus prints attribute values unescaped).
 */
export function readXml(
  xml: string,
  options: { decodeEntities: boolean },
  handlers: TXmlHandlers,
  malformed: (detail: string) => Error,
): void {
  let depth = 0;
  let problem: string | null = null;
  let openedAt = -1;
  const parser = new Parser(
    {
      onopentag(qualified, attributes) {
        openedAt = parser.endIndex;
        handlers.open(localName(qualified), attributes, depth++);
      },
      ontext(text) {
        handlers.text?.(text);
      },
      onclosetag(qualified, implied) {
        if (depth === 0) {
          problem ??= `</${qualified}> closes nothing`;
          return;
        }
        // A self-closing tag is reported as an implied close at the very position it was opened.
        const selfClosing = implied && parser.endIndex === openedAt && xml.charCodeAt(parser.endIndex - 1) === 0x2f;
        if (implied && !selfClosing && problem === null) problem = `<${qualified}> is not closed`;
        handlers.close(localName(qualified), --depth);
      },
    },
    { xmlMode: true, decodeEntities: options.decodeEntities },
  );
  parser.end(xml);
  if (problem !== null) throw malformed(problem);
}

/**
 * Name of the first element, skipping the prolog, DOCTYPE and comments. Checked before parsing so that
 * HTML (which need not be well-formed, and for jkstatus even starts with an XML prolog) gets an error
 * that says what happened.
 */
export function readRootElementName(text: string): string | null {
  const match = /^\uFEFF?(?:\s|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)*<([A-Za-z_][\w.:-]*)/i.exec(text);
  return match?.[1] ?? null;
}

export function localName(qualifiedName: string): string {
  return qualifiedName.slice(qualifiedName.indexOf(":") + 1);
}

/** What the document's root element is, compared with the one expected (by local name, any prefix). */
export function classifyRoot(
  text: string,
  expectedLocalName: string,
): { kind: "expected" | "html" | "other"; root: string | null } {
  const root = readRootElementName(text);
  if (root !== null && localName(root).toLowerCase() === "html") return { kind: "html", root };
  if (root === null || localName(root) !== expectedLocalName) return { kind: "other", root };
  return { kind: "expected", root };
}

/**
 * An event reader does not reject a document that stops early, so a response cut off mid-body would come
 * out as a balancer with fewer members. Both servers always close their root element: require it.
 */
export function endsWithClosingTag(text: string, rootLocalName: string): boolean {
  return new RegExp(`</(?:[A-Za-z_][\\w.-]*:)?${rootLocalName}\\s*>\\s*$`).test(text);
}
