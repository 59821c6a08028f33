"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";

/** Active silences, with "Lift" for operators (alerts they covered are sent at once if still firing). */
export function SilencesPanel({ cluster, canOperate }: { cluster: string; canOperate: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const q = useQuery({
    ...trpc.alert.silences.queryOptions({ cluster: cluster || undefined, includeEnded: false }),
    refetchInterval: 10_000,
  });
  const lift = useMutation(
    trpc.alert.expireSilence.mutationOptions({
      onSuccess: () => qc.invalidateQueries({ queryKey: trpc.alert.pathKey() }),
    }),
  );
  return (
    <section className="panel" aria-label="Silences" style={{ marginTop: "1rem" }}>
      <h2>Silences</h2>
      <ErrorNotice error={q.error} context="Cannot load the silences" />
      <ErrorNotice error={lift.error} context="Cannot lift the silence" />
      {q.data?.length === 0 && <p className="muted">No active silence: every firing alert is sent.</p>}
      {q.data && q.data.length > 0 && (
        <table aria-label="Active silences">
          <thead>
            <tr>
              <th scope="col">Matches</th>
              <th scope="col">Until</th>
              <th scope="col">Why</th>
              <th scope="col">By</th>
              {canOperate && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {q.data.map((s) => (
              <tr key={s.id} aria-label={`Silence ${s.id}`}>
                <td>
                  {Object.entries(s.matchers)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(", ")}
                </td>
                <td>{s.endsAt.toLocaleString()}</td>
                <td>{s.reason}</td>
                <td>{s.createdBy}</td>
                {canOperate && (
                  <td>
                    <button type="button" disabled={lift.isPending} onClick={() => lift.mutate({ id: s.id })}>
                      Lift
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
