/** Small helpers shared by the frontend XML parsers (balancer-manager, jkstatus). Pure. */

export type TXmlNode = Record<string, unknown>;

export function isXmlNode(value: unknown): value is TXmlNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
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
 * fast-xml-parser does not reject a document that stops early, so a response cut off mid-body would come
 * out as a balancer with fewer members. Both servers always close their root element: require it.
 */
export function endsWithClosingTag(text: string, rootLocalName: string): boolean {
  return new RegExp(`</(?:[A-Za-z_][\\w.-]*:)?${rootLocalName}\\s*>\\s*$`).test(text);
}
