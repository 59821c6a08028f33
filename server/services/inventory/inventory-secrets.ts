import { AppError } from "@/server/errors";
import { SECRET_FIELD } from "@/server/domain/redact";
import type { TInventoryFile } from "@/server/services/inventory/inventory-schema";
import type { TInventoryCluster } from "@/server/services/inventory/inventory-state";

/**
 * Exported inventory files carry no credentials: each stored secret (a frontend's password, a store's
 * `password` option, any field named like a credential: redact.ts's SECRET_FIELD) is written as this
 * placeholder, and a file that still holds it means "keep the stored one". So a file can live in git,
 * and applying what was exported changes nothing.
 */
export const KEPT_SECRET = "<kept>";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The value with every non-empty secret field replaced by the placeholder. */
export function maskSecrets<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isRecord(v)) return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k,
        SECRET_FIELD.test(k) && typeof x === "string" && x !== "" ? KEPT_SECRET : walk(x),
      ]),
    );
  };
  return walk(value) as T;
}

/**
 * Options from a file with each placeholder replaced by the stored value at the same place. A
 * placeholder with nothing stored is a mistake the file's author must fix (there is nothing to keep).
 */
export function restoreSecrets(
  given: Record<string, unknown>,
  stored: unknown,
  where: string,
): Record<string, unknown> {
  const walk = (v: unknown, s: unknown, path: string): unknown => {
    if (v === KEPT_SECRET) {
      if (typeof s !== "string" || s === "")
        throw new AppError(
          "INVALID_INPUT",
          `${path} is "${KEPT_SECRET}" but no secret is stored there to keep: give the value`,
          {
            issues: [{ path, message: `"${KEPT_SECRET}" with nothing stored to keep` }],
          },
        );
      return s;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, Array.isArray(s) ? s[i] : undefined, `${path}.${i}`));
    if (!isRecord(v)) return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, walk(x, isRecord(s) ? s[k] : undefined, `${path}.${k}`)]),
    );
  };
  return walk(given, stored, where) as Record<string, unknown>;
}

/**
 * The file's clusters with every placeholder resolved against what is stored: a frontend password of
 * "<kept>" becomes "leave it" (undefined, as an absent one), option secrets take their stored value.
 */
export function resolveKeptSecrets(file: TInventoryFile, stored: readonly TInventoryCluster[]): TInventoryCluster[] {
  const byName = new Map(stored.map((c) => [c.name, c]));
  return file.clusters.map((c, ci) => {
    const s = byName.get(c.name);
    return {
      ...c,
      frontends: c.frontends.map((f, fi) => {
        const was = s?.frontends.find((x) => x.name === f.name);
        const at = `clusters.${ci}.frontends.${fi}`;
        if (f.password === KEPT_SECRET && !was?.password)
          throw new AppError(
            "INVALID_INPUT",
            `${at}.password is "${KEPT_SECRET}" but no password is stored to keep: give it`,
            {
              issues: [{ path: `${at}.password`, message: `"${KEPT_SECRET}" with no stored password` }],
            },
          );
        return {
          ...f,
          password: f.password === KEPT_SECRET ? undefined : f.password,
          options: f.options === undefined ? undefined : restoreSecrets(f.options, was?.options, `${at}.options`),
        };
      }),
      stores: c.stores.map((st, si) => ({
        ...st,
        options: restoreSecrets(
          st.options,
          s?.stores.find((x) => x.name === st.name)?.options,
          `clusters.${ci}.stores.${si}.options`,
        ),
      })),
    };
  });
}
