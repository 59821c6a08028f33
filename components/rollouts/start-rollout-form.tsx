"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ConfirmDialog } from "@/components/actions/confirm-dialog";
import { ErrorNotice, FieldError } from "@/components/errors/error-notice";
import { useFieldErrors } from "@/components/errors/field-errors";
import type { TRolloutSettingsInput } from "@/server/services/rollouts/schema";

export interface TRolloutMemberOption {
  name: string;
  intendedState: string;
  host: string;
  httpPort: number | null;
}

/** The settings' paths as the API names them, so an issue shows beside its field. */
const FIELDS = [
  "members",
  "maxUnavailable",
  "wait.timeoutSec",
  "deploy.command",
  "deploy.url",
  "deploy.timeoutSec",
  "health.path",
  "health.timeoutSec",
  "ramp.percents",
  "ramp.stepSec",
];

const STRATEGY_TEXT = {
  safe: "every session still routed to it is safe in a shared store or on a replica",
  sessions: "no session routed to it is left",
  inflight: "no request is in flight (for clusters without session sharing)",
} as const;

/**
 * Start a rollout: the members in order (checkbox to include, buttons to move), the wait strategy with
 * its timeout, how each member is deployed, the health URL and the weight ramp; a confirm dialog says
 * what will happen before anything does. Deploy commands are offered to admins only (the server checks).
 */
export function StartRolloutForm({
  cluster,
  members,
  frontends,
  isAdmin,
}: {
  cluster: string;
  members: TRolloutMemberOption[];
  frontends: number;
  isAdmin: boolean;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const qc = useQueryClient();
  const [order, setOrder] = useState(members.map((m) => ({ name: m.name, on: m.intendedState === "active" })));
  const [maxUnavailable, setMaxUnavailable] = useState(1);
  const [strategy, setStrategy] = useState<keyof typeof STRATEGY_TEXT>("safe");
  const [waitTimeout, setWaitTimeout] = useState(600);
  const [onTimeout, setOnTimeout] = useState<"pause" | "proceed">("pause");
  const [deployKind, setDeployKind] = useState<"manual" | "webhook" | "command">("manual");
  const [command, setCommand] = useState("");
  const [webhook, setWebhook] = useState("");
  const [deployTimeout, setDeployTimeout] = useState(600);
  const [idempotent, setIdempotent] = useState(false);
  const [healthPath, setHealthPath] = useState("/");
  const [healthTimeout, setHealthTimeout] = useState(180);
  const [ramp, setRamp] = useState("25,50,100");
  const [rampStep, setRampStep] = useState(10);
  const [confirming, setConfirming] = useState(false);
  const start = useMutation(
    trpc.rollout.start.mutationOptions({
      onSuccess: async (r) => {
        await qc.invalidateQueries({ queryKey: trpc.rollout.list.queryKey({ cluster }) });
        router.push(`/clusters/${encodeURIComponent(cluster)}/rollouts/${r.id}`);
      },
      onError: () => setConfirming(false),
    }),
  );

  const fields = useFieldErrors(start.error, FIELDS);
  const chosen = order.filter((m) => m.on).map((m) => m.name);
  const percents = ramp.split(",").map((x) => Number(x.trim()));
  const rampOk =
    percents.every((p, i) => Number.isInteger(p) && p >= 1 && p <= 100 && (i === 0 || p > percents[i - 1]!)) &&
    percents.at(-1) === 100;
  const move = (i: number, by: number) => {
    const next = [...order];
    const [m] = next.splice(i, 1);
    next.splice(i + by, 0, m!);
    setOrder(next);
  };
  const settings: TRolloutSettingsInput = {
    members: chosen,
    maxUnavailable,
    wait: { strategy, timeoutSec: waitTimeout, onTimeout },
    deploy:
      deployKind === "manual"
        ? { kind: "manual" }
        : deployKind === "webhook"
          ? { kind: "webhook", url: webhook, timeoutSec: deployTimeout, idempotent }
          : { kind: "command", command, timeoutSec: deployTimeout, idempotent },
    health: { path: healthPath, timeoutSec: healthTimeout },
    ramp: { percents: rampOk ? percents : [100], stepSec: rampStep },
  };
  const num = (set: (n: number) => void) => (e: React.ChangeEvent<HTMLInputElement>) => set(Number(e.target.value));

  return (
    <form
      className="panel"
      aria-label="Start a rollout"
      onSubmit={(e) => {
        e.preventDefault();
        start.reset();
        setConfirming(true);
      }}
    >
      <h2 style={{ marginTop: 0 }}>Start a rollout</h2>
      <fieldset>
        <legend>Members, in order</legend>
        <ol style={{ margin: 0, paddingLeft: "1.4rem" }}>
          {order.map((m, i) => (
            <li key={m.name} style={{ display: "flex", gap: ".5rem", alignItems: "center" }}>
              <label style={{ flexDirection: "row", alignItems: "center", gap: ".35rem" }}>
                <input
                  type="checkbox"
                  checked={m.on}
                  onChange={(e) => setOrder(order.map((x) => (x.name === m.name ? { ...x, on: e.target.checked } : x)))}
                />
                {m.name}
              </label>
              <button type="button" aria-label={`Move ${m.name} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                ↑
              </button>
              <button
                type="button"
                aria-label={`Move ${m.name} down`}
                disabled={i === order.length - 1}
                onClick={() => move(i, 1)}
              >
                ↓
              </button>
            </li>
          ))}
        </ol>
        <FieldError fields={fields} field="members" />
      </fieldset>
      <div className="toolbar" style={{ flexWrap: "wrap", alignItems: "end" }}>
        <label>
          Max unavailable
          <input
            type="number"
            min={1}
            max={Math.max(1, members.length - 1)}
            value={maxUnavailable}
            onChange={num(setMaxUnavailable)}
            {...fields.inputProps("maxUnavailable")}
          />
          <FieldError fields={fields} field="maxUnavailable" />
        </label>
        <label>
          Wait until
          <select value={strategy} onChange={(e) => setStrategy(e.target.value as keyof typeof STRATEGY_TEXT)}>
            <option value="safe">sessions are safe elsewhere</option>
            <option value="sessions">no session is left</option>
            <option value="inflight">no request in flight</option>
          </select>
        </label>
        <label>
          Wait timeout (s)
          <input
            type="number"
            min={1}
            value={waitTimeout}
            onChange={num(setWaitTimeout)}
            {...fields.inputProps("wait.timeoutSec")}
          />
          <FieldError fields={fields} field="wait.timeoutSec" />
        </label>
        <label>
          On timeout
          <select value={onTimeout} onChange={(e) => setOnTimeout(e.target.value as "pause" | "proceed")}>
            <option value="pause">pause for an operator</option>
            <option value="proceed">proceed</option>
          </select>
        </label>
      </div>
      <fieldset>
        <legend>Deploy step</legend>
        <div className="toolbar">
          {(isAdmin ? (["manual", "webhook", "command"] as const) : (["manual", "webhook"] as const)).map((k) => (
            <label key={k} style={{ flexDirection: "row", alignItems: "center", gap: ".35rem" }}>
              <input
                type="radio"
                name="deploy-kind"
                value={k}
                checked={deployKind === k}
                onChange={() => setDeployKind(k)}
              />
              {k === "manual" ? "Manual (press Continue)" : k === "webhook" ? "Webhook" : "Command (admin)"}
            </label>
          ))}
        </div>
        {!isAdmin && (
          <p className="muted">
            A deploy command runs on the console&apos;s host as its user: only an admin may set one.
          </p>
        )}
        {deployKind === "command" && (
          <label>
            Command (env CLUSTERDECK_MEMBER, _HOST, _ROUTE, _HTTP_PORT, _AJP_PORT)
            <textarea
              required
              rows={2}
              value={command}
              onChange={(e) => setCommand(e.target.value)}
              style={{ fontFamily: "monospace" }}
              {...fields.inputProps("deploy.command")}
            />
            <FieldError fields={fields} field="deploy.command" />
          </label>
        )}
        {deployKind === "webhook" && (
          <label>
            Webhook URL (POST, 2xx = deployed)
            <input
              type="url"
              required
              value={webhook}
              onChange={(e) => setWebhook(e.target.value)}
              {...fields.inputProps("deploy.url")}
            />
            <FieldError fields={fields} field="deploy.url" />
          </label>
        )}
        {deployKind !== "manual" && (
          <div className="toolbar">
            <label>
              Deploy timeout (s)
              <input
                type="number"
                min={1}
                value={deployTimeout}
                onChange={num(setDeployTimeout)}
                {...fields.inputProps("deploy.timeoutSec")}
              />
              <FieldError fields={fields} field="deploy.timeoutSec" />
            </label>
            <label style={{ flexDirection: "row", alignItems: "center", gap: ".35rem" }}>
              <input type="checkbox" checked={idempotent} onChange={(e) => setIdempotent(e.target.checked)} />
              Safe to run again after a console restart
            </label>
          </div>
        )}
      </fieldset>
      <div className="toolbar" style={{ flexWrap: "wrap", alignItems: "end" }}>
        <label>
          Health path (on each member&apos;s own port)
          <input
            value={healthPath}
            onChange={(e) => setHealthPath(e.target.value)}
            pattern="/\S*"
            {...fields.inputProps("health.path")}
          />
          <FieldError fields={fields} field="health.path" />
        </label>
        <label>
          Health timeout (s)
          <input
            type="number"
            min={1}
            value={healthTimeout}
            onChange={num(setHealthTimeout)}
            {...fields.inputProps("health.timeoutSec")}
          />
          <FieldError fields={fields} field="health.timeoutSec" />
        </label>
        <label>
          Weight ramp (% of original)
          <input
            value={ramp}
            onChange={(e) => setRamp(e.target.value)}
            aria-invalid={!rampOk || fields.messageFor("ramp.percents") !== undefined}
            aria-describedby={fields.inputProps("ramp.percents")["aria-describedby"]}
          />
          <FieldError fields={fields} field="ramp.percents" />
        </label>
        <label>
          Seconds per ramp step
          <input
            type="number"
            min={1}
            value={rampStep}
            onChange={num(setRampStep)}
            {...fields.inputProps("ramp.stepSec")}
          />
          <FieldError fields={fields} field="ramp.stepSec" />
        </label>
        <button type="submit" className="primary" disabled={chosen.length === 0 || !rampOk}>
          Start rollout…
        </button>
      </div>
      {!rampOk && <p className="field-error">The ramp is rising percents ending at 100, e.g. 25,50,100.</p>}
      <ErrorNotice error={start.error} context="Rollout not started" fields={fields} />
      {confirming && (
        <ConfirmDialog
          title={`Roll ${chosen.length} member(s) of ${cluster}`}
          confirmLabel="Start rollout"
          danger
          pending={start.isPending}
          onConfirm={() => start.mutate({ cluster, ...settings })}
          onClose={() => setConfirming(false)}
        >
          <p>
            In this order: <strong>{chosen.join(" → ")}</strong>, at most {maxUnavailable} out of rotation at a time;
            the other {members.length - maxUnavailable} member(s) take all traffic meanwhile.
          </p>
          <ol>
            <li>Drain on every frontend ({frontends}): no new sessions, its users stay.</li>
            <li>
              Wait until {STRATEGY_TEXT[strategy]}, at most {waitTimeout} s, then{" "}
              {onTimeout === "pause" ? "pause for you" : "proceed anyway"}.
            </li>
            <li>Stop on every frontend; requests in flight finish.</li>
            <li>
              {deployKind === "manual" ? (
                "Wait for you to deploy and press Continue."
              ) : deployKind === "webhook" ? (
                `POST to ${webhook}.`
              ) : (
                <>
                  Run <code>{command}</code>.
                </>
              )}{" "}
              A failure pauses the rollout with the member out of rotation.
            </li>
            <li>Health gate: {healthPath} on the member&apos;s own HTTP port, and no frontend may see it failing.</li>
            <li>
              Enable at {percents.join("% → ")}% of its weight, {rampStep} s each, watching errors.
            </li>
          </ol>
        </ConfirmDialog>
      )}
    </form>
  );
}
