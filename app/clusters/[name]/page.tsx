import { ClusterDashboard } from "@/components/cluster/cluster-dashboard";

export const dynamic = "force-dynamic";

export default async function ClusterPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return <ClusterDashboard name={decodeURIComponent(name)} />;
}
