import { AuditLog } from "@/components/audit/audit-log";
import { requireSignedIn } from "@/server/auth/page-session";

export const dynamic = "force-dynamic";

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireSignedIn("/audit");
  const q = await searchParams;
  const one = (k: string) => (typeof q[k] === "string" ? (q[k] as string).slice(0, 128) : undefined);
  const initial = Object.fromEntries(
    (["cluster", "actor", "action"] as const).flatMap((k) => (one(k) ? [[k, one(k)!]] : [])),
  );
  return <AuditLog initial={initial} />;
}
