import { describe, expect, it } from "vitest";
import { backupKey, NewSessions } from "@/server/services/sessions/session-index/new-sessions";

/** Ids in the order the buckets give them, each with the record word it was added with. */
function sortedIds(fresh: NewSessions): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const bucket of fresh.inOrder())
    for (const k of bucket.sortedRows())
      out.push([bucket.bytes.toString("latin1", bucket.starts[k], bucket.starts[k + 1]), bucket.rec[k * 4]!]);
  return out;
}

function add(fresh: NewSessions, id: string, tag: number): void {
  const b = Buffer.from(id, "latin1");
  fresh.add(b, 0, b.length, tag, 0, 0, 0);
}

describe("NewSessions", () => {
  it("gives the ids in byte order, equal ids in the order added, across buckets and long shared prefixes", () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const hex = "0123456789ABCDEF";
    const ids: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      // Random hex ids, ids sharing 2 to 20 leading bytes (recursion through several 4-byte levels), ids
      // ending inside a shared prefix, one-byte ids, and replicas (the same id again).
      const kind = rand(5);
      if (kind === 0) ids.push(Array.from({ length: 32 }, () => hex[rand(16)]).join("") + "-n1.tomcat1");
      else if (kind === 1) ids.push("ABCDEFGHIJKLMNOPQRST".slice(0, 2 + rand(19)) + hex[rand(16)]!.repeat(rand(3)));
      else if (kind === 2) ids.push(hex[rand(16)]!);
      else if (kind === 3 && ids.length > 0) ids.push(ids[rand(ids.length)]!);
      else ids.push(`${hex[rand(16)]}${hex[rand(16)]}${"X".repeat(rand(12))}${hex[rand(16)]}`);
    }
    const fresh = new NewSessions();
    ids.forEach((id, i) => add(fresh, id, i));
    const expected = ids
      .map((id, i): [string, number] => [id, i])
      .sort((a, b) => Buffer.compare(Buffer.from(a[0], "latin1"), Buffer.from(b[0], "latin1")) || a[1] - b[1]);
    expect(fresh.length).toBe(ids.length);
    expect(sortedIds(fresh)).toEqual(expected);
  });

  it("keeps each backup key beside its id's bucket", () => {
    const fresh = new NewSessions();
    add(fresh, "AB12-n1", 0);
    add(fresh, "CD34-n2", 1);
    const backup = Buffer.from("AB12-n1");
    fresh.addBackup(backup, 0, backup.length);
    const buckets = fresh.inOrder();
    expect(buckets.length).toBe(2);
    expect(buckets[0]!.backupSet()?.has(backupKey(backup, 0, backup.length))).toBe(true);
    expect(buckets[1]!.backupSet()).toBeNull();
  });
});
