import type { TDb } from "@/server/db";
import type { TPrincipal } from "@/server/auth/principal";
import { recordAudit } from "@/server/services/audit/audit";
import { AppError } from "@/server/errors";
import { launchJob, type TJobKind } from "@/server/services/jobs/job-engine";

export interface TWho {
  principal: TPrincipal | null;
  ip: string | null;
}

/**
 * Journals a new operation (one at a time per kind and target), audit-logs who started it, and runs it in
 * the background: the caller gets the operation row at once and follows it with operation.get.
 */
export async function startOperation(
  db: TDb,
  op: {
    /** The operation's kind as a job (its runner). */
    job: TJobKind;
    cluster: string;
    target: string;
    params: unknown;
    dryRun: boolean;
    auditAction: string;
    auditDetails?: Record<string, unknown>;
  },
  who: TWho,
) {
  const running = await db.operation.findFirst({
    where: { kind: op.job.kind, cluster: op.cluster, target: op.target, state: { in: ["pending", "running"] } },
  });
  if (running)
    throw new AppError(
      "CONFLICT",
      `Operation #${running.id} is already running on ${op.target}; wait for it to finish`,
    );
  const row = await db.operation.create({
    data: {
      kind: op.job.kind,
      cluster: op.cluster,
      target: op.target,
      params: JSON.stringify(op.params),
      dryRun: op.dryRun,
      state: "pending",
      startedBy: who.principal?.username ?? null,
    },
  });
  const action = op.dryRun ? `${op.auditAction}.dryRun` : op.auditAction;
  await recordAudit(db, {
    principal: who.principal,
    ip: who.ip,
    action,
    cluster: op.cluster,
    target: op.target,
    result: "ok",
    details: { operationId: row.id, ...op.auditDetails },
  });
  launchJob(op.job, db, row.id);
  return row;
}
