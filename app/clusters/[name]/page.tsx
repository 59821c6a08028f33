import { ClusterDashboard } from "@/components/cluster/cluster-dashboard";
import { requireSignedIn } from "@/server/auth/page-session";
import { roleAtLeast } from "@/server/auth/roles";
import { ZLiveFrame } from "@/server/services/clusters/cluster-view-schema";
import { getInventoryCache } from "@/server/services/clusters/inventory-cache";
import { wireFrame } from "@/server/services/clusters/live-feed";

export const dynamic = "force-dynamic";

export default async function ClusterPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  const me = await requireSignedIn(`/clusters/${name}`);
  const cluster = decodeURIComponent(name);
  // The first rows come with the page, from memory (the inventory cache and the live table): a browser
  // shows them at first paint instead of after hydration and the stream's first snapshot, which then
  // takes over. Without the cache (it starts with the console) the stream alone fills the page.
  const cache = getInventoryCache();
  const row = cache?.byName(cluster);
  const view = row ? cache!.view(row.id) : undefined;
  const initial = view ? ZLiveFrame.parse(wireFrame({ type: "snapshot", view })) : null;
  return (
    <ClusterDashboard
      name={cluster}
      canOperate={roleAtLeast(me.role, "operator")}
      initial={initial?.type === "snapshot" ? initial : null}
    />
  );
}
