import type { z } from "zod";
import type { TDb } from "@/server/db";
import { actorName } from "@/server/auth/principal";
import { ALERT_RULES, ALERT_RULE_IDS, thresholdProblem, type TAlertRuleId } from "@/server/domain/alert-rules";
import { AppError } from "@/server/errors";
import { auditedChange, type TWho } from "@/server/services/audit/audit";
import { getAlertEngine } from "@/server/services/alerts/engine";
import { ALERTS_DUTY } from "@/server/cluster-lease/duties";
import { askOwner, HERE } from "@/server/fanout/ask-owner";
import {
  MAX_SILENCE_MS,
  type TAlertView,
  type ZAlertList,
  type ZAlertListInput,
  type ZCreateSilenceInput,
  type ZRuleView,
  type ZSetRuleInput,
  type ZSilence,
} from "@/server/services/alerts/schema";

type TAlertRow = {
  id: number;
  fingerprint: string;
  rule: string;
  cluster: string;
  labels: string;
  summary: string;
  description: string;
  state: string;
  activeSince: Date;
  startsAt: Date;
  endsAt: Date | null;
  notifiedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
};

function known(rule: string): rule is TAlertRuleId {
  return (ALERT_RULE_IDS as readonly string[]).includes(rule);
}

function viewOfRow(r: TAlertRow & { rule: TAlertRuleId }): TAlertView {
  const labels = JSON.parse(r.labels) as Record<string, string>;
  const silence = r.state === "firing" ? (getAlertEngine()?.silenceOf(labels) ?? null) : null;
  const def = ALERT_RULES[r.rule];
  return {
    id: r.id,
    fingerprint: r.fingerprint,
    rule: r.rule,
    alertname: def.alertname,
    title: def.title,
    severity: def.severity,
    cluster: r.cluster,
    labels,
    summary: r.summary,
    description: r.description,
    state: r.state === "firing" ? "firing" : "resolved",
    activeSince: r.activeSince,
    startsAt: r.startsAt,
    endsAt: r.endsAt,
    firesAt: null,
    acknowledgedAt: r.acknowledgedAt,
    acknowledgedBy: r.acknowledgedBy,
    silence: silence ? { id: silence.id, endsAt: new Date(silence.endsAt) } : null,
    notified: r.notifiedAt !== null,
  };
}

async function clusterIdOf(db: TDb, name: string): Promise<number> {
  const c = await db.cluster.findUnique({ where: { name }, select: { id: true } });
  if (!c) throw new AppError("NOT_FOUND", `No cluster named "${name}"`);
  return c.id;
}

/**
 * Current alerts (pending ones from the engine's memory, the `alerts` owner's with several instances;
 * firing ones from the database; critical first) or the resolved history, newest first, a page at a time.
 */
export async function listAlerts(db: TDb, input: z.infer<typeof ZAlertListInput>): Promise<z.infer<typeof ZAlertList>> {
  const where = input.cluster ? { cluster: input.cluster } : {};
  if (input.state === "resolved") {
    const rows = await db.alert.findMany({
      where: { ...where, state: "resolved", ...(input.beforeId ? { id: { lt: input.beforeId } } : {}) },
      orderBy: { id: "desc" },
      take: input.limit + 1,
    });
    const page = rows.slice(0, input.limit).filter((r): r is typeof r & { rule: TAlertRuleId } => known(r.rule));
    return {
      alerts: page.map(viewOfRow),
      nextBeforeId: rows.length > input.limit ? rows[input.limit - 1]!.id : null,
    };
  }
  const firing = await db.alert.findMany({ where: { ...where, state: "firing" }, orderBy: { id: "desc" }, take: 1000 });
  // Several instances: only the `alerts` owner judges the rules, so only it knows what is pending.
  const question = { kind: "pending-alerts", cluster: input.cluster } as const;
  const asked = await askOwner<TAlertView[]>(ALERTS_DUTY, question, "the alerts not yet firing");
  const pending = asked === HERE ? await pendingAlertViews(db, input.cluster) : asked;
  const rank = (a: TAlertView) => (a.state === "firing" ? 0 : 2) + (a.severity === "critical" ? 0 : 1);
  const alerts = [
    ...firing.filter((r): r is typeof r & { rule: TAlertRuleId } => known(r.rule)).map(viewOfRow),
    ...pending,
  ].sort((a, b) => rank(a) - rank(b) || b.activeSince.getTime() - a.activeSince.getTime());
  return { alerts: alerts.slice(0, input.limit), nextBeforeId: null };
}

/** The alerts this instance's engine holds as pending (of one cluster, or all): on the `alerts` owner. */
export async function pendingAlertViews(db: TDb, cluster: string | undefined): Promise<TAlertView[]> {
  const engine = getAlertEngine();
  const pending: TAlertView[] = [];
  const pendingNow = engine?.tracker.pending(cluster) ?? [];
  const ids = new Map(
    pendingNow.length === 0
      ? []
      : (await db.cluster.findMany({ select: { id: true, name: true } })).map((c) => [c.name, c.id]),
  );
  for (const a of pendingNow) {
    const def = ALERT_RULES[a.rule];
    const clusterId = ids.get(a.cluster);
    const forSeconds =
      clusterId === undefined ? def.defaults.forSeconds : engine!.settingsOf(clusterId)[a.rule].forSeconds;
    const silence = engine!.silenceOf(a.labels);
    pending.push({
      id: null,
      fingerprint: a.fingerprint,
      rule: a.rule,
      alertname: def.alertname,
      title: def.title,
      severity: def.severity,
      cluster: a.cluster,
      labels: a.labels,
      summary: a.summary,
      description: a.description,
      state: "pending",
      activeSince: new Date(a.activeSince),
      startsAt: null,
      endsAt: null,
      firesAt: new Date(a.activeSince + forSeconds * 1000),
      acknowledgedAt: null,
      acknowledgedBy: null,
      silence: silence ? { id: silence.id, endsAt: new Date(silence.endsAt) } : null,
      notified: false,
    });
  }
  return pending;
}

/** Marks a firing alert as seen by someone who is on it (shown beside it; notifications go on). */
export async function acknowledgeAlert(db: TDb, id: number, who: TWho): Promise<TAlertView> {
  const row = await db.alert.findUnique({ where: { id } });
  if (!row || !known(row.rule)) throw new AppError("NOT_FOUND", `No alert #${id}`);
  return auditedChange(
    db,
    who,
    {
      action: "alert.acknowledge",
      cluster: row.cluster,
      target: `${ALERT_RULES[row.rule].alertname} ${row.summary}`,
      after: (v) => ({ id: v.id, acknowledgedBy: v.acknowledgedBy }),
    },
    async () => {
      if (row.state !== "firing")
        throw new AppError("CONFLICT", `Alert #${id} is resolved already; nothing to acknowledge`);
      const updated = await db.alert.update({
        where: { id },
        data: { acknowledgedAt: new Date(), acknowledgedBy: actorName(who.principal) },
      });
      return viewOfRow({ ...updated, rule: row.rule as TAlertRuleId });
    },
  );
}

export async function listRules(db: TDb, cluster: string): Promise<Array<z.infer<typeof ZRuleView>>> {
  const clusterId = await clusterIdOf(db, cluster);
  const rows = await db.alertRuleSetting.findMany({ where: { clusterId } });
  return ALERT_RULE_IDS.map((id) => {
    const def = ALERT_RULES[id];
    const row = rows.find((r) => r.rule === id);
    return {
      rule: id,
      alertname: def.alertname,
      title: def.title,
      severity: def.severity,
      about: def.about,
      enabled: row?.enabled ?? def.defaults.enabled,
      forSeconds: row?.forSeconds ?? def.defaults.forSeconds,
      threshold: row ? row.threshold : def.defaults.threshold,
      thresholdDef: def.threshold,
      defaults: def.defaults,
      overridden: !!row,
      updatedBy: row?.updatedBy ?? null,
    };
  });
}

/** An operator sets one rule for one cluster; the engine judges the cluster again at once. */
export async function setRule(
  db: TDb,
  input: z.infer<typeof ZSetRuleInput>,
  who: TWho,
): Promise<Array<z.infer<typeof ZRuleView>>> {
  const clusterId = await clusterIdOf(db, input.cluster);
  const before = (await listRules(db, input.cluster)).find((r) => r.rule === input.rule)!;
  await auditedChange(
    db,
    who,
    {
      action: "alert.rule.set",
      cluster: input.cluster,
      target: input.rule,
      before: { enabled: before.enabled, forSeconds: before.forSeconds, threshold: before.threshold },
      after: () => ({ enabled: input.enabled, forSeconds: input.forSeconds, threshold: input.threshold }),
    },
    async () => {
      const problem = thresholdProblem(input.rule, input.threshold);
      if (problem) throw new AppError("INVALID_INPUT", problem);
      const data = {
        enabled: input.enabled,
        forSeconds: input.forSeconds,
        threshold: input.threshold,
        updatedBy: actorName(who.principal),
      };
      await db.alertRuleSetting.upsert({
        where: { clusterId_rule: { clusterId, rule: input.rule } },
        create: { clusterId, rule: input.rule, ...data },
        update: data,
      });
    },
  );
  await getAlertEngine()?.settingsChanged(clusterId);
  return listRules(db, input.cluster);
}

function silenceView(r: {
  id: number;
  cluster: string;
  matchers: string;
  reason: string;
  createdBy: string;
  createdAt: Date;
  endsAt: Date;
  expiredAt: Date | null;
  expiredBy: string | null;
}): z.infer<typeof ZSilence> {
  return {
    ...r,
    matchers: JSON.parse(r.matchers) as Record<string, string>,
    active: r.expiredAt === null && r.endsAt.getTime() > Date.now(),
  };
}

export async function listSilences(
  db: TDb,
  input: { cluster?: string; includeEnded: boolean },
): Promise<Array<z.infer<typeof ZSilence>>> {
  const rows = await db.alertSilence.findMany({
    where: {
      ...(input.cluster ? { cluster: input.cluster } : {}),
      ...(input.includeEnded ? {} : { endsAt: { gt: new Date() }, expiredAt: null }),
    },
    orderBy: { id: "desc" },
    take: 200,
  });
  return rows.map(silenceView);
}

/** No notification for alerts of the cluster whose labels match every matcher, until endsAt. */
export async function createSilence(
  db: TDb,
  input: z.infer<typeof ZCreateSilenceInput>,
  who: TWho,
): Promise<z.infer<typeof ZSilence>> {
  const matchers = { ...input.matchers, cluster: input.cluster };
  const view = await auditedChange(
    db,
    who,
    {
      action: "alert.silence",
      cluster: input.cluster,
      target: JSON.stringify(matchers),
      details: { reason: input.reason, endsAt: input.endsAt },
    },
    async () => {
      await clusterIdOf(db, input.cluster);
      const now = Date.now();
      if (input.endsAt.getTime() <= now) throw new AppError("INVALID_INPUT", "The silence must end in the future");
      if (input.endsAt.getTime() - now > MAX_SILENCE_MS)
        throw new AppError("INVALID_INPUT", "A silence lasts at most 30 days; turn the rule off for longer");
      const row = await db.alertSilence.create({
        data: {
          matchers: JSON.stringify(matchers),
          cluster: input.cluster,
          reason: input.reason,
          createdBy: actorName(who.principal),
          endsAt: input.endsAt,
        },
      });
      return silenceView(row);
    },
  );
  await getAlertEngine()?.silencesChanged();
  return view;
}

/** Lifts a silence before its end: alerts it covered are sent now if they still fire. */
export async function expireSilence(db: TDb, id: number, who: TWho): Promise<z.infer<typeof ZSilence>> {
  const row = await db.alertSilence.findUnique({ where: { id } });
  if (!row) throw new AppError("NOT_FOUND", `No silence #${id}`);
  const view = await auditedChange(
    db,
    who,
    { action: "alert.silence.expire", cluster: row.cluster, target: row.matchers, details: { silence: id } },
    async () => {
      if (row.expiredAt || row.endsAt.getTime() <= Date.now())
        throw new AppError("CONFLICT", `Silence #${id} has ended already`);
      return silenceView(
        await db.alertSilence.update({
          where: { id },
          data: { expiredAt: new Date(), expiredBy: actorName(who.principal) },
        }),
      );
    },
  );
  await getAlertEngine()?.silencesChanged();
  return view;
}
