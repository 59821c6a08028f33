import { z } from "zod";

/** A value as JSON carries it: what audit entries and inventory plans keep of a setting, whatever its shape. */
export type TJsonValue = string | number | boolean | null | TJsonValue[] | { [key: string]: TJsonValue };

/**
 * Any JSON value, checked all the way down (not `z.unknown()`): an answer that holds one still says what
 * it can be, and the OpenAPI document names it once (component JsonValue) instead of leaving it blank.
 */
export const ZJsonValue: z.ZodType<TJsonValue> = z
  .union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    // Described without the cycle through the array: generated TypeScript clients (openapi-typescript)
    // cannot type an array whose items refer back to the union that holds it.
    z.array(z.lazy(() => ZJsonValue)).meta({
      id: "JsonArray",
      override: { type: "array", items: { description: "a JSON value (JsonValue)" } },
    }),
    z.record(
      z.string(),
      z.lazy(() => ZJsonValue),
    ),
  ])
  .meta({ id: "JsonValue", description: "any JSON value: string, number, boolean, null, array or object" });
