"use client";
import { useRef, useState } from "react";
import { LocateSession } from "@/components/sessions/locate-session";
import { SessionTable } from "@/components/sessions/session-table";

/** The sessions page's interactive part: picking a row in the table locates it in the panel above. */
export function SessionsWorkspace({ cluster }: { cluster: string }) {
  const [pick, setPick] = useState<{ id: string; seq: number } | null>(null);
  const locateRef = useRef<HTMLDivElement>(null);
  return (
    <>
      <div ref={locateRef} tabIndex={-1}>
        <LocateSession key={pick?.seq ?? 0} cluster={cluster} initial={pick?.id} />
      </div>
      <SessionTable
        cluster={cluster}
        onLocate={(id) => {
          setPick((p) => ({ id, seq: (p?.seq ?? 0) + 1 }));
          locateRef.current?.focus();
          locateRef.current?.scrollIntoView({ block: "start" });
        }}
      />
    </>
  );
}
