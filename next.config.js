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
};
export default nextConfig;
