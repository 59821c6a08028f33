import type { ReactNode } from "react";
import Link from "next/link";
import { TrpcProviders } from "@/components/trpc";
import "./globals.css";

export const metadata = { title: "ClusterDeck", description: "Live status and control of Tomcat clusters behind Apache" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="top">
          <Link href="/">ClusterDeck</Link>
          <nav aria-label="Main">
            <Link href="/">Clusters</Link>
          </nav>
        </header>
        <TrpcProviders>
          <main>{children}</main>
        </TrpcProviders>
      </body>
    </html>
  );
}
