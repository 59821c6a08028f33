"use client";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice } from "@/components/errors/error-notice";
import { StateBadge } from "@/components/health-badge";

/** Paste a JSESSIONID (or a Cookie header, or a URL with ;jsessionid=): who serves it and where its copies are. */
export function LocateSession({ cluster, initial }: { cluster: string; initial?: string }) {
  const trpc = useTRPC();
  // `initial` (a row picked in the session table) locates at once; the parent remounts us per pick.
  const [text, setText] = useState(initial ?? "");
  const [asked, setAsked] = useState<string | null>(initial ?? null);
  const q = useQuery({
    ...trpc.session.locate.queryOptions({ cluster, session: asked ?? "" }),
    enabled: asked !== null,
    retry: false,
  });
  const r = q.data;
  return (
    <section aria-labelledby="locate-h">
      <h2 id="locate-h">Locate a session</h2>
      <form
        className="inline panel"
        onSubmit={(e) => {
          e.preventDefault();
          setAsked(text.trim());
        }}
      >
        <label style={{ flex: 1 }}>
          JSESSIONID value, Cookie header, or URL with ;jsessionid=
          <input
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="JSESSIONID=6A8D1C4E0F2B9A7D3C5E1F0A2B4C6D8E-n1.tomcat1"
            spellCheck={false}
            style={{ fontFamily: "monospace" }}
          />
        </label>
        <button type="submit" className="primary" disabled={text.trim() === ""}>
          Locate
        </button>
      </form>
      {q.isFetching && <p aria-busy="true">Looking…</p>}
      <ErrorNotice error={q.error} context="Cannot locate this session" />
      {r && !q.isFetching && (
        <div className="panel" role="region" aria-label="Location" style={{ marginTop: ".75rem" }}>
          <p>
            <code>{r.sessionId}</code>: base <code>{r.baseId}</code>, memcached node <strong>{r.nodeId ?? "–"}</strong>,
            route <strong>{r.route ?? "–"}</strong> → member <strong>{r.member ?? "none"}</strong>{" "}
            {r.memberIntendedState && <StateBadge state={r.memberIntendedState} />}
          </p>
          <table aria-label="Routing per frontend">
            <thead>
              <tr>
                <th scope="col">Frontend</th>
                <th scope="col">Member state there</th>
                <th scope="col">Next request</th>
              </tr>
            </thead>
            <tbody>
              {r.frontends.map((f) => (
                <tr key={f.frontend} aria-label={`${f.frontend}: ${f.explanation}`}>
                  <th scope="row">{f.frontend}</th>
                  <td>
                    {f.adminState ? (
                      <>
                        <StateBadge state={f.adminState} /> <StateBadge state={f.health ?? "unknown"} />
                      </>
                    ) : (
                      "–"
                    )}
                  </td>
                  <td>{f.explanation}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table aria-label="Copies in the stores" style={{ marginTop: ".75rem" }}>
            <thead>
              <tr>
                <th scope="col">Store</th>
                <th scope="col">Node</th>
                <th scope="col">Key</th>
                <th scope="col">Role</th>
                <th scope="col" className="num">
                  TTL
                </th>
                <th scope="col" className="num">
                  Size
                </th>
              </tr>
            </thead>
            <tbody>
              {r.copies.length === 0 && (
                <tr>
                  <td colSpan={6} className="muted">
                    No copy found in any store.
                  </td>
                </tr>
              )}
              {r.copies.map((c) => (
                <tr key={`${c.store}/${c.node}/${c.key}`} aria-label={`${c.store} ${c.node} ${c.role}`}>
                  <td>{c.store}</td>
                  <td>{c.node}</td>
                  <td>
                    <code>{c.key}</code>
                  </td>
                  <td>{c.role}</td>
                  <td className="num">{c.ttlSeconds === null ? "never" : `${c.ttlSeconds} s`}</td>
                  <td className="num">{c.size} B</td>
                </tr>
              ))}
            </tbody>
          </table>
          {r.details.map((d) => (
            <div key={d.store} style={{ marginTop: ".75rem" }}>
              <h3 style={{ fontSize: "1rem", margin: ".25rem 0" }}>
                Content in {d.store}{" "}
                <span className="muted">
                  (read from {d.node}, key {d.key})
                </span>
              </h3>
              {d.decodeError ? (
                <p className="field-error">Does not decode: {d.decodeError}</p>
              ) : (
                <>
                  <p className="muted">
                    created {d.creationTime?.toLocaleString() ?? "–"} · last access{" "}
                    {d.lastAccessedTime?.toLocaleString() ?? "–"} · times out after {d.maxInactiveInterval ?? "–"} s
                    idle
                  </p>
                  <table aria-label={`Attributes in ${d.store}`}>
                    <thead>
                      <tr>
                        <th scope="col">Attribute</th>
                        <th scope="col">Value</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.attributes.length === 0 && (
                        <tr>
                          <td colSpan={2} className="muted">
                            {d.attributesNote ?? "No attributes."}
                          </td>
                        </tr>
                      )}
                      {d.attributes.map((a) => (
                        <tr key={a.name} aria-label={`attribute ${a.name}`}>
                          <th scope="row">
                            <code>{a.name}</code>
                          </th>
                          <td>
                            <code>{a.value}</code>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              )}
            </div>
          ))}
          {r.layouts.map((l) => (
            <p key={l.store} className="muted">
              {l.store}: judged as {l.layout}
            </p>
          ))}
          {r.storeErrors.map((e) => (
            <p key={e.store} className="field-error">
              {e.store}: {e.error}
            </p>
          ))}
          {r.warnings.length > 0 && (
            <ul className="alert error" aria-label="Warnings" style={{ paddingLeft: "1.5rem" }}>
              {r.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
