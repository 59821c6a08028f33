import { InventoryEditor } from "@/components/inventory/inventory-editor";
import { requireSignedIn } from "@/server/auth/page-session";

export const dynamic = "force-dynamic";

export default async function InventoryPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  await requireSignedIn(`/clusters/${name}/inventory`, "operator");
  return <InventoryEditor name={decodeURIComponent(name)} />;
}
