import type { TJavaValue } from "@/server/adapters/stores/java-serialization/types";

/** A short, human text for a decoded Java value: simple values in full, containers by size, objects by class. */
export function describeJavaValue(v: TJavaValue | string | number | boolean | bigint): string {
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v.length > 200 ? `${v.slice(0, 200)}…` : v);
  if (typeof v !== "object") return String(v);
  if (Buffer.isBuffer(v)) return `byte[${v.length}]`;
  switch (v.kind) {
    case "boxed":
      return typeof v.value === "string" ? JSON.stringify(v.value) : String(v.value);
    case "date":
      return new Date(v.epochMs).toISOString();
    case "map":
      return `${short(v.className)} (${v.entries.length} entries)`;
    case "list":
      return `${short(v.className)} (${v.items.length} items)`;
    case "array":
      return `${short(v.className)} (${Buffer.isBuffer(v.items) ? v.items.length : v.items.length} elements)`;
    case "enum":
      return `${short(v.className)}.${v.constant}`;
    case "class":
      return `class ${v.className}`;
    default:
      return "undecodable" in v && v.undecodable
        ? `(not decodable: ${v.className})`
        : `${"className" in v ? v.className : "object"}`;
  }
}

function short(className: string): string {
  return className.slice(className.lastIndexOf(".") + 1);
}
