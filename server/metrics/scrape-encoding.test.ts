import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { acceptsGzip, encodeScrape } from "@/server/metrics/scrape-encoding";

describe("scrape encoding", () => {
  it("reads Accept-Encoding as Prometheus and browsers send it, q=0 refusing", () => {
    expect(acceptsGzip("gzip")).toBe(true);
    expect(acceptsGzip("br, gzip;q=0.8, deflate")).toBe(true);
    expect(acceptsGzip("GZIP")).toBe(true);
    expect(acceptsGzip("gzip;q=0")).toBe(false);
    expect(acceptsGzip("identity")).toBe(false);
    expect(acceptsGzip("deflate, br")).toBe(false);
    expect(acceptsGzip(null)).toBe(false);
  });

  it("compresses the text when gzip is accepted and says so; sends it as is otherwise", async () => {
    const text = "# TYPE clusterdeck_member_busy gauge\n".repeat(1000);
    const zipped = await encodeScrape(text, "gzip");
    expect(zipped.headers).toEqual({ "content-encoding": "gzip", vary: "accept-encoding" });
    expect(zipped.body).toBeInstanceOf(Uint8Array);
    expect(gunzipSync(zipped.body as Uint8Array).toString("utf8")).toBe(text);
    expect((zipped.body as Uint8Array).byteLength).toBeLessThan(text.length / 10);
    expect(await encodeScrape(text, "identity")).toEqual({ body: text, headers: {} });
  });
});
