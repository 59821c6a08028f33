import { roleAtLeast, type TRole } from "@/server/auth/roles";
import { redactForViewer, redactSecrets } from "@/server/domain/redact";
import { maskSessionIdsDeep } from "@/server/domain/session-ids";

/**
 * What one role may see of an answer: credentials never (redact.ts rule 1); a viewer also gets settings'
 * secrets hidden (rule 2) and session ids masked with attribute values hidden (session-ids.ts). Applied
 * at the API boundary to answers that carry settings, audit details or session data.
 */
export function visibleTo<T>(role: TRole | null, value: T): T {
  if (role !== null && roleAtLeast(role, "operator")) return redactSecrets(value);
  return maskSessionIdsDeep(redactForViewer(value));
}
