"use client";
import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";

const EXAMPLE = `clusters:
  - name: shop
    members:
      - { name: tomcat1, route: tomcat1, host: 10.0.0.11, httpPort: 8080, ajpPort: 8009 }
    frontends:
      - { name: apache1, kind: apache-balancer, url: "http://10.0.0.2/balancer-manager", balancer: shop }`;

/** Upserts clusters, members and frontends by name; a bad file changes nothing. */
export function ImportInventoryForm() {
  const trpc = useTRPC();
  const [yaml, setYaml] = useState("");
  const imp = useMutation(trpc.cluster.import.mutationOptions());
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        imp.mutate({ yaml });
      }}
    >
      <label>
        Inventory YAML (same format as the file named by CLUSTERDECK_INVENTORY)
        <textarea
          rows={7}
          value={yaml}
          onChange={(e) => setYaml(e.target.value)}
          placeholder={EXAMPLE}
          spellCheck={false}
          style={{ fontFamily: "monospace" }}
        />
      </label>
      <div className="toolbar" style={{ marginTop: ".5rem" }}>
        <button type="submit" disabled={imp.isPending || yaml.trim() === ""}>
          {imp.isPending ? "Importing…" : "Import"}
        </button>
        {imp.data && (
          <span role="status">
            Imported {imp.data.clusters} cluster(s), {imp.data.members} member(s), {imp.data.frontends} frontend(s).
          </span>
        )}
      </div>
      <ErrorNotice error={imp.error} context="Nothing imported" />
    </form>
  );
}
