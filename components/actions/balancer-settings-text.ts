import {
  balancerSettingProblem,
  inputFromShown,
  shownBalancerValue,
  type TBalancerSettingSpec,
} from "@/server/domain/balancer-settings";

/** What the balancer-settings dialog needs of a frontend row of the cluster view. */
export interface TBalancerFrontend {
  name: string;
  kindLabel: string;
  balancer: string;
  enabled: boolean;
  balancerSettings?: Readonly<Record<string, TBalancerSettingSpec>>;
  balancerValues?: Readonly<Record<string, string>>;
}

export interface TBalancerField {
  name: string;
  spec: TBalancerSettingSpec;
  /** As the status page wrote it at the last good poll; null before the first one. */
  shown: string | null;
  /** The form's starting value, in the form the API takes ("on", not "On"). */
  initial: string;
}

export interface TBalancerChange {
  name: string;
  value: string;
  /** As the status page will show it once applied, for the confirmation line. */
  shownAfter: string;
  shownBefore: string | null;
}

/** Whether the frontend's kind has balancer settings at all: the button is offered only then. */
export function hasBalancerSettings(f: TBalancerFrontend): boolean {
  return f.enabled && Object.keys(f.balancerSettings ?? {}).length > 0;
}

/** Exactly the kind's settings, in the kind's order, pre-filled with what the last poll read. */
export function balancerFields(f: TBalancerFrontend): TBalancerField[] {
  return Object.entries(f.balancerSettings ?? {}).map(([name, spec]) => {
    const shown = f.balancerValues?.[name] ?? null;
    return { name, spec, shown, initial: shown === null ? "" : inputFromShown(spec, shown) };
  });
}

/** The fields the operator changed, in the dialog's order; an untouched field is never sent. */
export function balancerChanges(
  fields: readonly TBalancerField[],
  values: Readonly<Record<string, string>>,
): TBalancerChange[] {
  return fields.flatMap((f) => {
    const value = (values[f.name] ?? f.initial).trim();
    if (value === f.initial) return [];
    return [{ name: f.name, value, shownAfter: shownBalancerValue(f.spec, value), shownBefore: f.shown }];
  });
}

/** Per changed field, what the server would refuse (the same rules: server/domain/balancer-settings.ts). */
export function balancerProblems(fields: readonly TBalancerField[], changes: readonly TBalancerChange[]) {
  const problems = new Map<string, string>();
  for (const c of changes) {
    const spec = fields.find((f) => f.name === c.name)?.spec;
    const problem = spec ? balancerSettingProblem(c.name, spec, c.value) : `unknown setting ${c.name}`;
    if (problem) problems.set(c.name, problem);
  }
  return problems;
}

/** The rule a value must follow, beside its field. */
export function ruleText(spec: TBalancerSettingSpec): string {
  if (spec.type === "int") return `A whole number from ${spec.min} to ${spec.max}.`;
  if (spec.type === "switch") return "Either on or off.";
  return `One of ${spec.values.join(", ")}.`;
}

/**
 * What a change does, said before it is confirmed: a balancer setting is not one member's, it changes how
 * every request of the balancer is placed, and a restart of the server puts its configuration back.
 */
export function balancerImpactText(f: TBalancerFrontend, changes: readonly TBalancerChange[]): string {
  const what = changes.map((c) => `${c.name} ${c.shownBefore ?? "?"} → ${c.shownAfter}`).join(", ");
  return (
    `${what}: changes how ${f.name} balances every request of balancer ${f.balancer}, ` +
    `for every member. It lasts until it is changed again or the server restarts, which puts its configuration back.`
  );
}
