import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import {
  type TRedisKeyClass,
  type TRedisLayout,
  type TRedisLayoutOptions,
  classifyRedisKey,
  escapeRedisGlob,
  isJcolemanPlaceholder,
  redisKeysForSession,
  redisScanPatterns,
  redisSessionKey,
  splitRedissonHash,
  splitSpringHash,
} from "./layouts";

// Key names from docs/reference/session-stores.md §2 (jcoleman), §3 (Redisson), §4 (Spring Session).
const TOMCAT_ID = "6A8D1C4E0F2B9A7D3C5E1F0A2B4C6D8E.tomcat1";
const UUID = "0b5a3c1e-7d2f-4e8a-9c6b-1f2e3d4c5b6a";

describe("key builders", () => {
  it.each<[TRedisLayout, string, TRedisLayoutOptions, string[]]>([
    ["tomcat-redis-session-manager", TOMCAT_ID, {}, [TOMCAT_ID]],
    [
      "redisson",
      TOMCAT_ID,
      {},
      [`redisson:tomcat_session:${TOMCAT_ID}`, `redisson:tomcat_notified_nodes:${TOMCAT_ID}`],
    ],
    [
      "redisson",
      TOMCAT_ID,
      { keyPrefix: "app1" },
      [`app1:redisson:tomcat_session:${TOMCAT_ID}`, `app1:redisson:tomcat_notified_nodes:${TOMCAT_ID}`],
    ],
    ["spring-session", UUID, {}, [`spring:session:sessions:${UUID}`, `spring:session:sessions:expires:${UUID}`]],
    ["spring-session", UUID, { namespace: "shop" }, [`shop:sessions:${UUID}`, `shop:sessions:expires:${UUID}`]],
  ])("%s %s %j", (layout, id, options, keys) => {
    expect(redisSessionKey(layout, id, options)).toBe(keys[0]);
    expect(redisKeysForSession(layout, id, options)).toEqual(keys);
  });

  it("rejects empty ids and an empty Spring namespace", () => {
    expect(() => redisSessionKey("redisson", "")).toThrow(AppError);
    expect(() => redisSessionKey("spring-session", UUID, { namespace: "" })).toThrow(AppError);
  });
});

describe("redisScanPatterns", () => {
  it.each<[TRedisLayout, TRedisLayoutOptions, string[]]>([
    ["tomcat-redis-session-manager", {}, ["*"]],
    ["redisson", {}, ["redisson:tomcat_session:*"]],
    ["redisson", { keyPrefix: "a*b" }, ["a\\*b:redisson:tomcat_session:*"]],
    ["spring-session", {}, ["spring:session:sessions:*", "spring:session:expirations:*", "spring:session:index:*"]],
    ["spring-session", { namespace: "s[1]" }, ["s\\[1\\]:sessions:*", "s\\[1\\]:expirations:*", "s\\[1\\]:index:*"]],
  ])("%s %j", (layout, options, patterns) => {
    expect(redisScanPatterns(layout, options)).toEqual(patterns);
  });

  it("escapes every glob metacharacter", () => {
    expect(escapeRedisGlob("a*b?c[d]e\\f")).toBe("a\\*b\\?c\\[d\\]e\\\\f");
  });
});

describe("classifyRedisKey", () => {
  const table: [TRedisLayout, string, TRedisLayoutOptions, TRedisKeyClass][] = [
    ["tomcat-redis-session-manager", TOMCAT_ID, {}, { role: "session", sessionId: TOMCAT_ID }],
    [
      "tomcat-redis-session-manager",
      "6A8D1C4E0F2B9A7D3C5E1F0A2B4C6D8E",
      {},
      { role: "session", sessionId: "6A8D1C4E0F2B9A7D3C5E1F0A2B4C6D8E" },
    ],
    ["tomcat-redis-session-manager", "some:other:key", {}, { role: "other", sessionId: null }],
    ["tomcat-redis-session-manager", "counter", {}, { role: "other", sessionId: null }],
    ["redisson", `redisson:tomcat_session:${TOMCAT_ID}`, {}, { role: "session", sessionId: TOMCAT_ID }],
    ["redisson", "redisson:tomcat_session:redisson:tomcat_sso", {}, { role: "sso", sessionId: null }],
    ["redisson", `redisson:tomcat_notified_nodes:${TOMCAT_ID}`, {}, { role: "notified-nodes", sessionId: TOMCAT_ID }],
    [
      "redisson",
      `app1:redisson:tomcat_session:${TOMCAT_ID}`,
      { keyPrefix: "app1" },
      { role: "session", sessionId: TOMCAT_ID },
    ],
    [
      "redisson",
      "app1:redisson:tomcat_session:redisson:tomcat_sso",
      { keyPrefix: "app1" },
      { role: "sso", sessionId: null },
    ],
    // Another prefix's keys are not ours.
    ["redisson", `redisson:tomcat_session:${TOMCAT_ID}`, { keyPrefix: "app1" }, { role: "other", sessionId: null }],
    ["redisson", "redisson:tomcat_session:", {}, { role: "other", sessionId: null }],
    ["spring-session", `spring:session:sessions:${UUID}`, {}, { role: "session", sessionId: UUID }],
    ["spring-session", `spring:session:sessions:expires:${UUID}`, {}, { role: "expires", sessionId: UUID }],
    ["spring-session", "spring:session:expirations:1700000040000", {}, { role: "expirations", sessionId: null }],
    ["spring-session", "spring:session:sessions:expirations", {}, { role: "expirations", sessionId: null }],
    [
      "spring-session",
      "spring:session:index:org.springframework.session.FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME:alice",
      {},
      { role: "principal-index", sessionId: null },
    ],
    ["spring-session", `shop:sessions:${UUID}`, { namespace: "shop" }, { role: "session", sessionId: UUID }],
    ["spring-session", `spring:session:sessions:${UUID}`, { namespace: "shop" }, { role: "other", sessionId: null }],
    ["spring-session", "spring:session:event:0:created:x", {}, { role: "other", sessionId: null }],
  ];
  it.each(table)("%s %j %j", (layout, key, options, expected) => {
    expect(classifyRedisKey(layout, key, options)).toEqual(expected);
  });
});

describe("hash splitting and placeholders", () => {
  it("splits a Redisson hash into metadata and attributes", () => {
    const split = splitRedissonHash({
      "session:creationTime": "c",
      "session:authtype": "a",
      "session:isNew": "n",
      cart: "x",
      user: "y",
    });
    expect(split).toEqual({
      metadata: { creationTime: "c", authType: "a", isNew: "n" },
      attributes: { cart: "x", user: "y" },
    });
  });

  it("splits a Spring hash, stripping sessionAttr:", () => {
    const split = splitSpringHash({
      creationTime: 1,
      lastAccessedTime: 2,
      maxInactiveInterval: 3,
      "sessionAttr:user": 4,
      stray: 5,
    });
    expect(split).toEqual({
      metadata: { creationTime: 1, lastAccessedTime: 2, maxInactiveInterval: 3 },
      attributes: { user: 4 },
    });
  });

  it("recognises jcoleman's null placeholder", () => {
    expect(isJcolemanPlaceholder(Buffer.from("null"))).toBe(true);
    expect(isJcolemanPlaceholder("null")).toBe(true);
    expect(isJcolemanPlaceholder(Buffer.from([0xac, 0xed, 0, 5]))).toBe(false);
  });
});
