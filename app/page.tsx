import { ClustersOverview } from "@/components/clusters-overview";
import { requireSignedIn } from "@/server/auth/page-session";
import { roleAtLeast } from "@/server/auth/roles";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  const me = await requireSignedIn("/");
  return <ClustersOverview canEdit={roleAtLeast(me.role, "operator")} />;
}
