import type { TDb } from "@/server/db";
import { AppError } from "@/server/errors";

/** One operation's row (progress, outcome, report); NOT_FOUND when there is none. */
export async function getOperation(db: TDb, id: number) {
  const op = await db.operation.findUnique({ where: { id } });
  if (!op) throw new AppError("NOT_FOUND", `No operation #${id}`);
  return op;
}

/** The cluster's latest operations, newest first. */
export async function listOperations(db: TDb, cluster: string, take = 20) {
  return db.operation.findMany({ where: { cluster }, orderBy: { id: "desc" }, take });
}
