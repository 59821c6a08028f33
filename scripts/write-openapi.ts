/**
 * Writes the REST API's OpenAPI document (the one /api/v1/openapi.json serves) to a file, for the linter
 * in `npm test` (redocly lint) and for generating clients. Usage: tsx scripts/write-openapi.ts OUT.json
 */
import fs from "node:fs";
import { buildOpenApiDocument } from "@/server/api/openapi";

const out = process.argv[2];
if (!out) {
  process.stderr.write("usage: tsx scripts/write-openapi.ts OUT.json\n");
  process.exit(2);
}
fs.writeFileSync(out, `${JSON.stringify(buildOpenApiDocument("http://127.0.0.1:3000/api/v1"), null, 2)}\n`);
