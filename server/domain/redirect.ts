/**
 * Where to go after signing in: a path on this console only. `//evil.com` and `/\evil.com` (which
 * browsers read as `//evil.com`) and anything with control characters go to `/`.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//")) return "/";
  // eslint-disable-next-line no-control-regex -- control characters are what is refused here
  if (/[\\\x00-\x1f\x7f]/.test(next)) return "/";
  const base = "http://console.invalid";
  try {
    const url = new URL(next, base);
    return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : "/";
  } catch {
    return "/";
  }
}
