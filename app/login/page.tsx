import { LoginForm } from "@/components/auth/login-form";
import { safeNextPath } from "@/server/domain/redirect";

export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  // Only a path on this console: `/\evil.com` and the like go to "/".
  return <LoginForm next={safeNextPath(next)} />;
}
