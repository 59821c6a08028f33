"use client";
import { ErrorNotice } from "@/components/errors/error-notice";

/** Kept for the panels that have not moved to ErrorNotice yet (admin); new code uses ErrorNotice. */
export function MutationError({ error }: { error: Parameters<typeof ErrorNotice>[0]["error"] }) {
  return <ErrorNotice error={error} />;
}
