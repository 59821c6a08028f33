import type { ReactNode } from "react";
import Link from "next/link";
import { TrpcProviders } from "@/components/trpc";
import { UserMenu } from "@/components/auth/user-menu";
import { currentPrincipal } from "@/server/auth/page-session";
import { describeMe } from "@/server/auth/users";
import { getDb } from "@/server/db";
import "./globals.css";

export const metadata = {
  title: "ClusterDeck",
  description: "Live status and control of Tomcat clusters behind Apache httpd, mod_jk, HAProxy and nginx",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const me = await describeMe(getDb(), await currentPrincipal());
  return (
    <html lang="en">
      <body>
        <TrpcProviders>
          <header className="top">
            <Link href="/">ClusterDeck</Link>
            {me && (
              <nav aria-label="Main">
                <Link href="/">Clusters</Link>
                <Link href="/alerts">Alerts</Link>
                <Link href="/audit">Audit log</Link>
                {me.role === "admin" && <Link href="/admin">Users &amp; tokens</Link>}
              </nav>
            )}
            {me && <UserMenu username={me.username} role={me.role} />}
          </header>
          <main>
            {me?.passwordGenerated && (
              <div className="alert warning" role="status">
                You are signed in with the password generated at first start. <Link href="/account">Change it now</Link>
                : it was printed in the console&apos;s log.
              </div>
            )}
            {children}
          </main>
        </TrpcProviders>
      </body>
    </html>
  );
}
