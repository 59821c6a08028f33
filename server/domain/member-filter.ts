import { ADMIN_STATES, type TAdminState } from "@/server/domain/member-state";

/**
 * Which members of a cluster view an operator means: the members page's filter bar and the CLI's
 * `--filter` both compile to this and select with matchesMemberFilter, so "drain what I filtered" acts
 * on exactly the members the page showed.
 */
export const MEMBER_HEALTHS = ["healthy", "degraded", "failing", "unknown"] as const;
export type TMemberHealth = (typeof MEMBER_HEALTHS)[number];

export interface TMemberFilter {
  /** Part of the name, route or host (case-insensitive); `*` matches anything. */
  text?: string;
  /** Name pattern, `*` for anything (m00* = m0001 … m0099). */
  name?: string;
  /** Route pattern, as name. */
  route?: string;
  /** Some frontend shows this admin state. */
  state?: TAdminState;
  /** The member's health over its frontends. */
  health?: TMemberHealth;
  /** Some frontend differs from the intended state or weight. */
  drifted?: boolean;
  /** The frontends disagree on the member (state, health, or one does not list it). */
  disagreeing?: boolean;
  /** Some frontend puts it in this lbset (mod_jk: distance). */
  lbset?: number;
}

/** The fields of a members-view row that filters look at. */
export interface TFilterableRow {
  name: string;
  route: string;
  host: string | null;
  drift: boolean;
  disagreement: boolean;
  health: string;
  states: ReadonlyArray<{ adminState: string; lbset: number } | null>;
}

function pattern(glob: string, whole: boolean): RegExp {
  const body = glob
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(whole ? `^${body}$` : body, "i");
}

export function matchesMemberFilter(row: TFilterableRow, filter: TMemberFilter): boolean {
  if (filter.text) {
    const re = pattern(filter.text.trim(), false);
    if (!re.test(row.name) && !re.test(row.route) && !(row.host && re.test(row.host))) return false;
  }
  if (filter.name && !pattern(filter.name, true).test(row.name)) return false;
  if (filter.route && !pattern(filter.route, true).test(row.route)) return false;
  if (filter.state && !row.states.some((s) => s?.adminState === filter.state)) return false;
  if (filter.health && row.health !== filter.health) return false;
  if (filter.drifted !== undefined && row.drift !== filter.drifted) return false;
  if (filter.disagreeing !== undefined && row.disagreement !== filter.disagreeing) return false;
  if (filter.lbset !== undefined && !row.states.some((s) => s?.lbset === filter.lbset)) return false;
  return true;
}

export const MEMBER_FILTER_HELP =
  "comma-separated: name=PATTERN, route=PATTERN, text=WORDS, state=" +
  ADMIN_STATES.join("|") +
  ", health=" +
  MEMBER_HEALTHS.join("|") +
  ", lbset=N, drifted, disagreeing (PATTERN may use *, e.g. name=m00*)";

/**
 * Reads the CLI's filter text ("state=active,name=m00*,drifted"). Throws an Error naming the part it
 * cannot read, so a typo never widens the selection.
 */
export function parseMemberFilter(text: string): TMemberFilter {
  const filter: TMemberFilter = {};
  for (const raw of text.split(",")) {
    const part = raw.trim();
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? null : part.slice(eq + 1).trim();
    const need = (): string => {
      if (!value) throw new Error(`"${part}": give a value (${key}=…)`);
      return value;
    };
    switch (key) {
      case "name":
      case "route":
      case "text":
        filter[key] = need();
        break;
      case "state": {
        const v = need().toLowerCase();
        if (!(ADMIN_STATES as readonly string[]).includes(v))
          throw new Error(`"${part}": state is one of ${ADMIN_STATES.join(", ")}`);
        filter.state = v as TAdminState;
        break;
      }
      case "health": {
        const v = need().toLowerCase();
        if (!(MEMBER_HEALTHS as readonly string[]).includes(v))
          throw new Error(`"${part}": health is one of ${MEMBER_HEALTHS.join(", ")}`);
        filter.health = v as TMemberHealth;
        break;
      }
      case "lbset": {
        const v = need();
        if (!/^\d+$/.test(v)) throw new Error(`"${part}": lbset is a whole number`);
        filter.lbset = Number(v);
        break;
      }
      case "drifted":
      case "disagreeing": {
        const flag = value === null || value === "true" || value === "yes";
        if (value !== null && !flag && value !== "false" && value !== "no")
          throw new Error(`"${part}": ${key} takes no value, or true/false`);
        filter[key] = flag;
        break;
      }
      default:
        throw new Error(`"${part}": unknown filter; use ${MEMBER_FILTER_HELP}`);
    }
  }
  if (Object.keys(filter).length === 0) throw new Error(`the filter is empty; use ${MEMBER_FILTER_HELP}`);
  return filter;
}
