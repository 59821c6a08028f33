import { RolloutView } from "@/components/rollouts/rollout-view";
import { requireSignedIn } from "@/server/auth/page-session";
import { roleAtLeast } from "@/server/auth/roles";

export const dynamic = "force-dynamic";

export default async function RolloutPage({ params }: { params: Promise<{ name: string; id: string }> }) {
  const { name, id } = await params;
  const me = await requireSignedIn(`/clusters/${name}/rollouts/${id}`);
  const n = Number(id);
  if (!Number.isInteger(n) || n < 1) {
    return (
      <div className="alert error" role="alert">
        &quot;{id}&quot; is not a rollout number.
      </div>
    );
  }
  return <RolloutView cluster={decodeURIComponent(name)} id={n} canOperate={roleAtLeast(me.role, "operator")} />;
}
