import pg from "pg";
import { logger } from "@/server/logger";
import { emitRemoteEvent, isRemoteEvent, onEvent, type TEventName, type TEvents } from "@/server/poller/event-bus";
import { getFrontendLive, setFrontendLive } from "@/server/poller/live-state";
import { getStoreNodeLive, setStoreNodeLive } from "@/server/store-poller/store-live-state";
import {
  decodeMessage,
  encodeMessage,
  MAX_NOTIFY_BYTES,
  type TFanoutMessage,
  type TFanoutRef,
} from "@/server/fanout/fanout-codec";

const CHANNEL = "clusterdeck_events";
/** UTC, as Prisma writes DateTime into `timestamp without time zone`. */
const NOW = `(now() AT TIME ZONE 'UTC')`;
const EVENT_NAMES: readonly TEventName[] = [
  "frontend-polled",
  "store-polled",
  "inventory-changed",
  "intent-changed",
  "rollout-changed",
  "operation-changed",
  "poll-requested",
  "alert-config-changed",
  "sessions-viewed",
  "store-indexed",
  "owner-asked",
  "owner-answered",
];
const RECONNECT_MS = 1_000;
/** Stored messages are read within milliseconds; a minute is plenty for a slow reader. */
const KEEP_STORED_MS = 60_000;

/**
 * Live fan-out between console instances through PostgreSQL LISTEN/NOTIFY on one dedicated connection:
 * whatever this instance's bus carries (poll results with their reading, actions, progress) is sent to
 * every other instance, which puts the reading in its live table and emits the event on its own bus, so
 * browsers connected to any instance see it. What came from another instance is never sent again, and an
 * instance ignores its own notifications. A message too big for NOTIFY is stored in FanoutMessage and its
 * id sent instead. While the connection is down nothing is received; the next polls catch up.
 */
export class PgFanout {
  private client: pg.Client | null = null;
  private readonly stops: Array<() => void> = [];
  private pruneTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Sends in the order the events happened (a stored message is written before its id is sent). */
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly connectionString: string,
    private readonly instanceId: string,
  ) {}

  async start(): Promise<void> {
    await this.connect();
    for (const name of EVENT_NAMES) this.stops.push(onEvent(name, (payload) => this.publish(name, payload)));
    this.pruneTimer = setInterval(() => void this.prune(), KEEP_STORED_MS);
    this.pruneTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const stop of this.stops.splice(0)) stop();
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.sending;
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: "clusterdeck-fanout" });
    client.on("notification", (n) => {
      if (n.channel === CHANNEL && n.payload) void this.receive(n.payload);
    });
    client.on("error", (err) => {
      logger.warn({ err: String(err) }, "fan-out connection lost; reconnecting");
      this.reconnect(client);
    });
    client.on("end", () => this.reconnect(client));
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.client = client;
  }

  private reconnect(dead: pg.Client): void {
    if (this.stopped || this.client !== dead) return;
    this.client = null;
    void dead.end().catch(() => undefined);
    this.scheduleConnect();
  }

  private scheduleConnect(): void {
    setTimeout(() => {
      if (this.stopped) return;
      this.connect().catch((err) => {
        logger.warn({ err: String(err) }, "fan-out reconnect failed; trying again");
        this.scheduleConnect();
      });
    }, RECONNECT_MS).unref();
  }

  private publish<K extends TEventName>(name: K, payload: TEvents[K]): void {
    if (this.stopped || isRemoteEvent(payload)) return;
    const message = this.messageOf(name, payload);
    this.sending = this.sending.then(() =>
      this.send(encodeMessage(message)).catch((err) =>
        logger.warn(
          { err: String(err), event: name },
          "fan-out send failed; other instances catch up at the next poll",
        ),
      ),
    );
  }

  private messageOf<K extends TEventName>(name: K, payload: TEvents[K]): TFanoutMessage {
    const from = this.instanceId;
    if (name === "frontend-polled") {
      const p = payload as TEvents["frontend-polled"];
      return { from, name, payload: p, live: getFrontendLive(p.frontendId) ?? null };
    }
    if (name === "store-polled") {
      const p = payload as TEvents["store-polled"];
      return { from, name, payload: p, live: getStoreNodeLive(p.storeNodeId) ?? null };
    }
    return { from, name: name as Exclude<TEventName, "frontend-polled" | "store-polled">, payload };
  }

  private async send(text: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    if (Buffer.byteLength(text) <= MAX_NOTIFY_BYTES) {
      await client.query("SELECT pg_notify($1, $2)", [CHANNEL, text]);
      return;
    }
    const row = await client.query<{ id: number }>(
      `INSERT INTO "FanoutMessage" (sender, payload, "createdAt") VALUES ($1, $2, ${NOW}) RETURNING id`,
      [this.instanceId, text],
    );
    const ref: TFanoutRef = { from: this.instanceId, ref: row.rows[0]!.id };
    await client.query("SELECT pg_notify($1, $2)", [CHANNEL, JSON.stringify(ref)]);
  }

  private async receive(text: string): Promise<void> {
    try {
      let m = decodeMessage(text);
      if (m.from === this.instanceId) return;
      if ("ref" in m) {
        const row = await this.client?.query<{ payload: string }>(`SELECT payload FROM "FanoutMessage" WHERE id = $1`, [
          m.ref,
        ]);
        const stored = row?.rows[0]?.payload;
        if (!stored) return;
        m = decodeMessage(stored);
        if ("ref" in m) return;
      }
      this.apply(m);
    } catch (err) {
      logger.warn({ err: String(err) }, "fan-out message dropped");
    }
  }

  private apply(m: TFanoutMessage): void {
    if (m.name === "frontend-polled") {
      if (m.live) setFrontendLive(m.live);
      emitRemoteEvent(m.name, m.payload);
    } else if (m.name === "store-polled") {
      if (m.live) setStoreNodeLive(m.live);
      emitRemoteEvent(m.name, m.payload);
    } else {
      emitRemoteEvent(m.name, m.payload as TEvents[typeof m.name]);
    }
  }

  private async prune(): Promise<void> {
    await this.client
      ?.query(
        `DELETE FROM "FanoutMessage" WHERE sender = $1 AND "createdAt" < ${NOW} - $2::int * interval '1 millisecond'`,
        [this.instanceId, KEEP_STORED_MS],
      )
      .catch(() => undefined);
  }
}
