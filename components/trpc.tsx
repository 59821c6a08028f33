"use client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { useState, type ReactNode } from "react";
import superjson from "superjson";
import type { AppRouter } from "@/server/api/root";
import { isWorthRetrying } from "@/components/errors/error-advice";

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

/** Echo the session's CSRF cookie in a header: the server refuses cookie-authenticated mutations without it. */
function csrfHeaders(): Record<string, string> {
  const m = /(?:^|;\s*)cd_csrf=([^;]+)/.exec(typeof document === "undefined" ? "" : document.cookie);
  return m ? { "x-csrf-token": decodeURIComponent(m[1]!) } : {};
}

/** Queries whose input may not fit in a URL (a selection of 1,000 member names): sent as POST. */
const LONG_INPUT_QUERIES = new Set(["member.bulk.impact"]);

/** Queries and mutations over batched HTTP; subscriptions over SSE (live status pushes). */
export function TrpcProviders({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          // One retry for what may pass (no answer, a target timing out); a "not found" or "forbidden" stays so.
          queries: { staleTime: 5_000, retry: (failures, error) => failures < 1 && isWorthRetrying(error) },
        },
      }),
  );
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === "subscription",
          true: httpSubscriptionLink({ url: "/api/trpc", transformer: superjson }),
          false: splitLink({
            condition: (op) => LONG_INPUT_QUERIES.has(op.path),
            true: httpLink({
              url: "/api/trpc",
              transformer: superjson,
              methodOverride: "POST",
              headers: () => csrfHeaders(),
            }),
            false: httpBatchLink({ url: "/api/trpc", transformer: superjson, headers: () => csrfHeaders() }),
          }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
