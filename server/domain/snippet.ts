/**
 * Error messages may quote what a peer or a file said, but only a short, printable snippet: a poll
 * error is shown to every viewer, and a file that is not what it should be (a wrong path, a secrets
 * file) must not be read out through it.
 */
export const SNIPPET_CHARS = 24;
export const MAX_MESSAGE_CHARS = 300;

/** At most `max` printable characters of `text`, "…" when cut. */
export function snippet(text: string, max = SNIPPET_CHARS): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced here
  const printable = text.replace(/[\x00-\x1f\x7f]+/g, " ");
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}

/** Every "quoted" part of a message cut to a snippet, and the whole message bounded. */
export function boundQuotes(message: string, max = SNIPPET_CHARS): string {
  const quoted = message.replace(/"([^"]*)"/g, (_, inner: string) => `"${snippet(inner, max)}"`);
  return snippet(quoted, MAX_MESSAGE_CHARS);
}
