/**
 * Headers on every response. The console's pages are never framed (clickjacking a "stop member" button),
 * types are not sniffed, and URLs (which can name clusters and sessions) do not leak to other origins.
 * Next.js' App Router hydrates through inline scripts and the pages use inline styles, hence
 * 'unsafe-inline' for those two; nothing is loaded from another origin. `next dev` also needs eval.
 */
const dev = process.env.NODE_ENV === "development";
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const SECURITY_HEADERS = [
  { key: "Content-Security-Policy", value: CONTENT_SECURITY_POLICY },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "X-Frame-Options", value: "DENY" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and Node-only modules stay out of the bundle and are loaded from node_modules at run time.
  serverExternalPackages: [
    "better-sqlite3",
    "@prisma/adapter-better-sqlite3",
    "@prisma/adapter-pg",
    "pg",
    "pino",
    "prom-client",
  ],
  poweredByHeader: false,
  reactStrictMode: true,
  headers: () => Promise.resolve([{ source: "/:path*", headers: SECURITY_HEADERS }]),
};
export default nextConfig;
