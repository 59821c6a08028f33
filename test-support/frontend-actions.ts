import { expect } from "vitest";
import type { TFrontendTarget } from "@/server/adapters/frontends/adapter";
import type { TBalancerSnapshot } from "@/server/adapters/frontends/types";
import { AppError } from "@/server/errors";

/** Shared by each frontend kind's action tests (the adapter's own folder holds the tests). */

export function target(url: string, balancer: string): TFrontendTarget {
  return { url, balancer, username: null, password: null, timeoutMs: 2000, options: {} };
}

export function snapshot(name: string, nonce: string | null): TBalancerSnapshot {
  return { name, nonce, raw: {}, members: [] };
}

/** Awaits a promise that must reject with an AppError, and returns it. */
export async function appError(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}
