"use client";
import { useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";
import { EMPTY_MEMBER, MemberForm, toMemberInput } from "@/components/inventory/member-form";
import { EMPTY_FRONTEND, FrontendForm, optionsDraft } from "@/components/inventory/frontend-form";

/** Members and frontends of one cluster: add, edit, delete. Every change is validated by the API. */
export function InventoryEditor({ name }: { name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const inv = useQuery(trpc.cluster.inventory.queryOptions({ name }));
  const [editing, setEditing] = useState<string | null>(null);
  const onDone = async () => {
    setEditing(null);
    await queryClient.invalidateQueries({ queryKey: trpc.cluster.pathKey() });
  };
  const createMember = useMutation(trpc.member.create.mutationOptions({ onSuccess: onDone }));
  const updateMember = useMutation(trpc.member.update.mutationOptions({ onSuccess: onDone }));
  const deleteMember = useMutation(trpc.member.delete.mutationOptions({ onSuccess: onDone }));
  const createFrontend = useMutation(trpc.frontend.create.mutationOptions({ onSuccess: onDone }));
  const updateFrontend = useMutation(trpc.frontend.update.mutationOptions({ onSuccess: onDone }));
  const deleteFrontend = useMutation(trpc.frontend.delete.mutationOptions({ onSuccess: onDone }));
  const deleteCluster = useMutation(trpc.cluster.delete.mutationOptions({ onSuccess: () => router.push("/") }));
  // Creates and updates show their errors in their own form; removals here.
  const removeError = deleteMember.error ?? deleteFrontend.error ?? deleteCluster.error;

  if (inv.error) {
    return (
      <ErrorNotice
        error={inv.error}
        context="Cannot load the inventory"
        notFound={`There is no cluster named "${name}".`}
      >
        <Link href="/">Back to clusters</Link>
      </ErrorNotice>
    );
  }
  if (!inv.data) return <p aria-busy="true">Loading inventory…</p>;
  const c = inv.data;

  return (
    <>
      <div className="toolbar" style={{ justifyContent: "space-between" }}>
        <h1>Inventory of {c.name}</h1>
        <div className="toolbar">
          <Link className="button" href={`/clusters/${encodeURIComponent(c.name)}`}>
            Back to dashboard
          </Link>
          <button
            type="button"
            className="danger"
            onClick={() => {
              if (
                window.confirm(
                  `Delete cluster "${c.name}" with its ${c.members.length} member(s), ${c.frontends.length} frontend(s) and all their history? The balancers themselves are not touched.`,
                )
              )
                deleteCluster.mutate({ name: c.name });
            }}
          >
            Delete cluster
          </button>
        </div>
      </div>
      <ErrorNotice error={removeError} context="Not removed" />

      <h2>Members</h2>
      {c.members.length === 0 && <p className="muted">No members yet.</p>}
      <ul style={{ listStyle: "none", padding: 0 }} aria-label="Members">
        {c.members.map((m) => (
          <li key={m.id} className="panel" style={{ marginBottom: ".5rem" }}>
            {editing === `m${m.id}` ? (
              <MemberForm
                initial={{
                  name: m.name,
                  route: m.route,
                  host: m.host,
                  httpPort: m.httpPort?.toString() ?? "",
                  ajpPort: m.ajpPort?.toString() ?? "",
                }}
                submitLabel="Save"
                pending={updateMember.isPending}
                error={updateMember.error}
                onSubmit={(d) => updateMember.mutate({ id: m.id, data: toMemberInput(d) })}
                onCancel={() => setEditing(null)}
              />
            ) : (
              <div className="toolbar" style={{ justifyContent: "space-between" }}>
                <span>
                  <strong>{m.name}</strong>{" "}
                  <span className="muted">
                    route {m.route} · {m.host} · HTTP {m.httpPort ?? "–"} · AJP {m.ajpPort ?? "–"}
                  </span>
                </span>
                <span className="toolbar">
                  <button type="button" onClick={() => setEditing(`m${m.id}`)}>
                    Edit
                  </button>
                  <button
                    type="button"
                    className="danger"
                    onClick={() =>
                      window.confirm(`Remove member ${m.name} from the inventory? Its balancers are not changed.`) &&
                      deleteMember.mutate({ id: m.id })
                    }
                  >
                    Remove
                  </button>
                </span>
              </div>
            )}
          </li>
        ))}
      </ul>
      <div className="panel">
        <h3 style={{ marginTop: 0 }}>Add a member</h3>
        <MemberForm
          key={c.members.length}
          initial={EMPTY_MEMBER}
          submitLabel="Add member"
          pending={createMember.isPending}
          error={createMember.error}
          onSubmit={(d) => createMember.mutate({ clusterId: c.id, data: toMemberInput(d) })}
        />
      </div>

      <h2>Frontends</h2>
      {c.frontends.length === 0 && <p className="muted">No frontends yet.</p>}
      <ul style={{ listStyle: "none", padding: 0 }} aria-label="Frontends">
        {c.frontends.map((f) => (
          <li key={f.id} className="panel" style={{ marginBottom: ".5rem" }}>
            {editing === `f${f.id}` ? (
              <FrontendForm
                initial={{
                  name: f.name,
                  kind: f.kind,
                  url: f.url,
                  balancer: f.balancer,
                  username: f.username ?? "",
                  password: "",
                  pollIntervalMs: String(f.pollIntervalMs),
                  timeoutMs: String(f.timeoutMs),
                  enabled: f.enabled,
                  options: optionsDraft(f.options),
                }}
                passwordHint={f.hasPassword ? "unchanged (a new address clears it unless you type it)" : ""}
                submitLabel="Save"
                pending={updateFrontend.isPending}
                error={updateFrontend.error}
                onSubmit={(input, d) =>
                  // The stored password goes only to the address it was given for: a new address clears it
                  // unless a password is typed (keeping it for a new address is an admin's call, over the API).
                  updateFrontend.mutate({
                    id: f.id,
                    data: { ...input, keepPassword: d.password === "" && input.url === f.url },
                  })
                }
                onCancel={() => setEditing(null)}
              />
            ) : (
              <div className="toolbar" style={{ justifyContent: "space-between" }}>
                <span>
                  <strong>{f.name}</strong>{" "}
                  <span className="muted">
                    {f.kind} · {f.url} · balancer {f.balancer} · every {f.pollIntervalMs} ms
                    {f.enabled ? "" : " · polling off"}
                  </span>
                </span>
                <span className="toolbar">
                  <button type="button" onClick={() => setEditing(`f${f.id}`)}>
                    Edit
                  </button>
                  <button
                    type="button"
                    className="danger"
                    onClick={() =>
                      window.confirm(
                        `Remove frontend ${f.name} and its history? The balancer itself is not changed.`,
                      ) && deleteFrontend.mutate({ id: f.id })
                    }
                  >
                    Remove
                  </button>
                </span>
              </div>
            )}
          </li>
        ))}
      </ul>
      <div className="panel">
        <h3 style={{ marginTop: 0 }}>Add a frontend</h3>
        <FrontendForm
          key={c.frontends.length}
          initial={EMPTY_FRONTEND}
          submitLabel="Add frontend"
          pending={createFrontend.isPending}
          error={createFrontend.error}
          onSubmit={(input) => createFrontend.mutate({ clusterId: c.id, data: input })}
        />
      </div>
    </>
  );
}
