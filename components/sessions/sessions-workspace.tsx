"use client";
import { useRef, useState, type ReactNode } from "react";
import { LocateSession } from "@/components/sessions/locate-session";
import { SessionTable } from "@/components/sessions/session-table";
import { ExpireSessions } from "@/components/sessions/expire-sessions";

/**
 * The sessions page's interactive part: picking a row in the table locates it in the panel above;
 * operators can expire the rows they select.
 */
export function SessionsWorkspace({
  cluster,
  canOperate,
  children,
}: {
  cluster: string;
  canOperate: boolean;
  children?: ReactNode;
}) {
  const [pick, setPick] = useState<{ id: string; seq: number } | null>(null);
  const locateRef = useRef<HTMLDivElement>(null);
  return (
    <>
      <div ref={locateRef} tabIndex={-1}>
        <LocateSession key={pick?.seq ?? 0} cluster={cluster} initial={pick?.id} />
      </div>
      {/* The overview (counts per member and node) sits between locating one session and listing all. */}
      {children}
      <SessionTable
        cluster={cluster}
        selectionActions={
          canOperate ? (ids, clear) => <ExpireSessions cluster={cluster} ids={ids} onDone={clear} /> : undefined
        }
        // A viewer's rows carry masked ids (they are credentials): locating needs the cookie itself.
        onLocate={
          canOperate
            ? (id) => {
                setPick((p) => ({ id, seq: (p?.seq ?? 0) + 1 }));
                locateRef.current?.focus();
                locateRef.current?.scrollIntoView({ block: "start" });
              }
            : undefined
        }
      />
    </>
  );
}
