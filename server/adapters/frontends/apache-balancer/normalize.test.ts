import { describe, expect, it } from "vitest";
import type { TAdminState, THealth } from "@/server/domain/member-state";
import { WORKER_STATUS_FLAGS, WORKER_STATUS_TOKENS, normalizeWorkerStatus, parseStatusTokens } from "./normalize";

type TRow = [status: string, adminState: TAdminState, health: THealth];

// Every example in docs/reference/apache-balancer-manager.md §5, verbatim with httpd's trailing space.
const REFERENCE_EXAMPLES: TRow[] = [
  ["Init Ok ", "active", "healthy"],
  ["Init Drn Ok ", "draining", "healthy"],
  ["Init Dis ", "disabled", "healthy"],
  ["Init Stop ", "stopped", "healthy"],
  ["Init Stby Ok ", "standby", "healthy"],
  ["Init Spar Ok ", "standby", "healthy"],
  ["Init Ign Ok ", "active", "healthy"],
  ["Init HcFl ", "active", "failing"],
  ["Init Err ", "active", "failing"],
  ["Init Drn Dis ", "disabled", "healthy"],
  ["??? ", "active", "unknown"],
];

// The admin flags N/D/S/H/R alone, together, and with Err. httpd prints "Ok" only when the worker is
// usable (Init and none of Shut/Dis/Stop/Err/HcFl), so rows with Dis, Stop or Err carry no Ok.
const ADMIN_FLAG_COMBINATIONS: TRow[] = [
  ["Init Drn Err ", "draining", "failing"],
  ["Init Dis Err ", "disabled", "failing"],
  ["Init Stop Err ", "stopped", "failing"],
  ["Init Err Stby ", "standby", "failing"],
  ["Init Err Spar ", "standby", "failing"],
  ["Init Drn Stop ", "stopped", "healthy"],
  ["Init Dis Stop ", "stopped", "healthy"],
  ["Init Drn Dis Stop ", "stopped", "healthy"],
  ["Init Drn Dis Stop Err Stby Spar ", "stopped", "failing"],
  ["Init Dis Stby ", "disabled", "healthy"],
  ["Init Dis Spar ", "disabled", "healthy"],
  ["Init Drn Stby Ok ", "draining", "healthy"],
  ["Init Drn Spar Ok ", "draining", "healthy"],
  ["Init Stby Spar Ok ", "standby", "healthy"],
  ["Init Stop Stby ", "stopped", "healthy"],
  ["Init Stop Spar ", "stopped", "healthy"],
  ["Init Drn Dis Err ", "disabled", "failing"],
  ["Init Drn Err Stby ", "draining", "failing"],
];

// Flags that are not admin states, and text no 2.4.71 server prints but a parser must survive.
const OTHER_FLAGS: TRow[] = [
  ["Init Shut ", "active", "failing"],
  ["Init Ign Err ", "active", "failing"],
  ["Init Drn HcFl ", "draining", "failing"],
  ["Init Gen Ok ", "active", "healthy"],
  ["Init Free ", "active", "healthy"],
  ["Err ", "active", "failing"],
  ["Drn ", "draining", "unknown"],
  ["", "active", "unknown"],
  ["Init Ok", "active", "healthy"],
  ["  Init   Drn   Ok  ", "draining", "healthy"],
  ["Init Xyz Ok ", "active", "healthy"],
];

describe("normalizeWorkerStatus (httpd 2.4.71 balancer-manager status tokens)", () => {
  it.each([...REFERENCE_EXAMPLES, ...ADMIN_FLAG_COMBINATIONS, ...OTHER_FLAGS])(
    "%j → %s / %s",
    (status, adminState, health) => {
      const { hotSpare: _hotSpare, ...normalized } = normalizeWorkerStatus(status);
      expect(normalized).toStrictEqual({ adminState, health });
    },
  );
});

describe("hot spare (Spar) is told apart from hot standby (Stby)", () => {
  it.each([
    ["Init Spar Ok ", true],
    ["Init Err Spar ", true],
    ["Init Stby Ok ", false],
    // Both flags: the standby rule holds it back until its whole lbset is unusable.
    ["Init Stby Spar Ok ", false],
    // A stronger admin flag wins: a drained or stopped spare is draining or stopped, not a spare.
    ["Init Drn Spar Ok ", false],
    ["Init Stop Spar ", false],
    ["Init Dis Spar ", false],
    ["Init Ok ", false],
  ])("%j → hotSpare %s", (status, hotSpare) => {
    expect(normalizeWorkerStatus(status).hotSpare === true).toBe(hotSpare);
  });
});

describe("parseStatusTokens", () => {
  it("splits on spaces and drops httpd's trailing space", () => {
    expect([...parseStatusTokens("Init Drn Ok ")]).toStrictEqual(["Init", "Drn", "Ok"]);
  });

  it("keeps tokens it does not know", () => {
    expect(parseStatusTokens("Init Xyz ").has("Xyz")).toBe(true);
  });
});

describe("status token table", () => {
  it("gives every flag a distinct letter and bit", () => {
    expect(new Set(WORKER_STATUS_FLAGS.map((flag) => flag.letter)).size).toBe(WORKER_STATUS_FLAGS.length);
    expect(new Set(WORKER_STATUS_FLAGS.map((flag) => flag.bit)).size).toBe(WORKER_STATUS_FLAGS.length);
  });

  it("names the letters the manager's w_status_X parameters use for the admin flags", () => {
    const letterOf = (token: string) => WORKER_STATUS_FLAGS.find((flag) => flag.token === token)?.letter;
    expect(letterOf(WORKER_STATUS_TOKENS.draining)).toBe("N");
    expect(letterOf(WORKER_STATUS_TOKENS.disabled)).toBe("D");
    expect(letterOf(WORKER_STATUS_TOKENS.stopped)).toBe("S");
    expect(letterOf(WORKER_STATUS_TOKENS.hotStandby)).toBe("H");
    expect(letterOf(WORKER_STATUS_TOKENS.hotSpare)).toBe("R");
    expect(letterOf(WORKER_STATUS_TOKENS.ignoreErrors)).toBe("I");
    expect(letterOf(WORKER_STATUS_TOKENS.healthCheckFailed)).toBe("C");
  });
});
