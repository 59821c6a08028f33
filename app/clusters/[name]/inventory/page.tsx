import { InventoryEditor } from "@/components/inventory/inventory-editor";

export const dynamic = "force-dynamic";

export default async function InventoryPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return <InventoryEditor name={decodeURIComponent(name)} />;
}
