import type { z } from "zod";
import { AppError } from "@/server/errors";

/** Validates a store's options with the kind's schema; errors name the field. */
export function parseStoreOptions<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const r = schema.safeParse(raw ?? {});
  if (!r.success) {
    const first = r.error.issues.slice(0, 3).map((i) => `options.${i.path.join(".")}: ${i.message}`);
    throw new AppError("INVALID_INPUT", `Invalid session store options: ${first.join("; ")}`);
  }
  return r.data;
}
