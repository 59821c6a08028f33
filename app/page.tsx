import { ClustersOverview } from "@/components/clusters-overview";

export const dynamic = "force-dynamic";

export default function HomePage() {
  return <ClustersOverview />;
}
