import { z } from "zod";
import { ADMIN_STATES } from "@/server/domain/member-state";
import { FRONTEND_KINDS, getFrontendAdapter } from "@/server/adapters/registry";

/** A frontend kind and what it can do: the UI builds its choices from this, never from a list of its own. */
export const ZFrontendKindInfo = z.object({
  kind: z.enum(FRONTEND_KINDS),
  label: z.string(),
  capabilities: z.object({
    adminStates: z.array(z.enum(ADMIN_STATES)).readonly(),
    weight: z.object({ min: z.number(), max: z.number(), integer: z.boolean() }).nullable(),
    countsErrors: z.boolean(),
    notes: z.partialRecord(z.enum(ADMIN_STATES), z.string()).optional(),
  }),
  /** What the kind's url and balancer look like (form placeholders), null for the Apache kinds' defaults. */
  targetExample: z.object({ url: z.string(), balancer: z.string() }).nullable(),
  /** Options only an admin may set or change (they run a program or touch a file): the editor says so. */
  adminOnlyOptions: z.array(z.string()),
});
export type TFrontendKindInfo = z.infer<typeof ZFrontendKindInfo>;

export function listFrontendKinds(): TFrontendKindInfo[] {
  return FRONTEND_KINDS.map((kind) => {
    const a = getFrontendAdapter(kind);
    return {
      kind,
      label: a.label,
      capabilities: a.capabilities,
      targetExample: a.targetExample ?? null,
      adminOnlyOptions: (a.privilegedOptions ?? []).map((o) => o.path.at(-1)!),
    };
  });
}
