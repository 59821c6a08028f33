import { z } from "zod";
import { createRouter, operatorProcedure, sessionViewerProcedure, viewerProcedure, whoOf } from "@/server/api/trpc";
import { ZMemberInput } from "@/server/services/inventory/inventory-schema";
import { ZMemberRecord } from "@/server/services/inventory/inventory-records-schema";
import * as inventory from "@/server/services/inventory/inventory";
import { applyMemberChange } from "@/server/services/members/member-actions";
import { reapplyMember } from "@/server/services/members/drift";
import { describeImpact } from "@/server/services/members/impact";
import { checkSafeToStop } from "@/server/services/sessions/safe-to-stop";
import { ZSafeToStop } from "@/server/services/sessions/sessions-schema";
import { STATE_VERBS, STATE_VERB_NAMES, type TStateVerb } from "@/server/domain/member-verbs";
import {
  ZBulkActionInput,
  ZBulkActionResult,
  ZBulkImpact,
  ZBulkTarget,
  ZMemberActionResult,
  ZMemberImpact,
  ZMemberTarget,
  ZSettingInput,
  ZStateActionInput,
  ZWeightInput,
} from "@/server/services/members/member-actions-schema";
import { applyBulkChange } from "@/server/services/members/bulk-actions";
import { describeBulkImpact } from "@/server/services/members/bulk-impact";
import { restRoute } from "@/server/api/rest-meta";

const ZId = z.object({ id: z.coerce.number().int().positive().describe("The member's id (inventory)") });

/** drain / disable / stop / standby / enable: one procedure each, the same service underneath. */
function stateAction(verb: TStateVerb) {
  return operatorProcedure
    .meta({
      openapi: {
        method: "POST",
        path: `/clusters/{cluster}/members/{member}/${verb}`,
        protect: true,
        tags: ["members"],
        summary: `${verb} a member on every frontend and verify`,
      },
    })
    .input(ZStateActionInput)
    .output(ZMemberActionResult)
    .mutation(({ ctx, input }) =>
      applyMemberChange(
        ctx.db,
        input.cluster,
        input.member,
        { kind: "state", state: STATE_VERBS[verb] },
        { ...whoOf(ctx), force: input.force, frontendIds: input.frontendIds },
      ),
    );
}

/** One verb on many members: one confirmation, the guard rail over the whole selection, one audit entry. */
const bulkRouter = createRouter({
  run: operatorProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/clusters/{cluster}/bulk/{verb}",
        protect: true,
        tags: ["members"],
        summary: "Apply one verb to many members on every frontend and verify each (one audit entry)",
      },
    })
    .input(ZBulkActionInput)
    .output(ZBulkActionResult)
    .mutation(({ ctx, input }) =>
      applyBulkChange(
        ctx.db,
        input.cluster,
        input.members,
        { kind: "state", state: STATE_VERBS[input.verb] },
        { principal: ctx.principal, ip: ctx.ip, force: input.force, frontendIds: input.frontendIds },
      ),
    ),
  /** The combined impact for the confirm dialog: share of requests, members left active per frontend. */
  impact: viewerProcedure
    // A POST although it reads: 5,000 member names do not fit a URL.
    .meta(
      restRoute("POST", "/clusters/{cluster}/bulk/{verb}/impact", "members", "What one verb on many members would do"),
    )
    .input(ZBulkTarget)
    .output(ZBulkImpact)
    .query(({ ctx, input }) => describeBulkImpact(ctx.db, input.cluster, input.members, input.verb)),
});

export const memberRouter = createRouter({
  bulk: bulkRouter,
  create: operatorProcedure
    .meta(
      restRoute(
        "POST",
        "/members",
        "inventory",
        "Register a Tomcat in a cluster (clusterId from GET /clusters/{name})",
        201,
      ),
    )
    .input(z.object({ clusterId: z.number().int().positive(), data: ZMemberInput }))
    .output(ZMemberRecord)
    .mutation(({ ctx, input }) => inventory.createMember(ctx.db, input.clusterId, input.data, whoOf(ctx))),
  update: operatorProcedure
    .meta(restRoute("PATCH", "/members/{id}", "inventory", "Change a member's name, route, host or ports"))
    .input(ZId.extend({ data: ZMemberInput }))
    .output(ZMemberRecord)
    .mutation(({ ctx, input }) => inventory.updateMember(ctx.db, input.id, input.data, whoOf(ctx))),
  delete: operatorProcedure
    .meta(restRoute("DELETE", "/members/{id}", "inventory", "Remove a member from the inventory", 204))
    .input(ZId)
    .output(z.void())
    .mutation(({ ctx, input }) => inventory.deleteMember(ctx.db, input.id, whoOf(ctx))),

  drain: stateAction("drain"),
  disable: stateAction("disable"),
  stop: stateAction("stop"),
  standby: stateAction("standby"),
  enable: stateAction("enable"),
  setWeight: operatorProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/clusters/{cluster}/members/{member}/weight",
        protect: true,
        tags: ["members"],
        summary: "Set a member's weight on every frontend and verify",
      },
    })
    .input(ZWeightInput)
    .output(ZMemberActionResult)
    .mutation(({ ctx, input }) =>
      applyMemberChange(
        ctx.db,
        input.cluster,
        input.member,
        { kind: "weight", weight: input.weight },
        { ...whoOf(ctx), frontendIds: input.frontendIds },
      ),
    ),
  /**
   * Sets one member setting (route, redirect, lbset, domain, distance) on every frontend whose kind has it, and
   * reads each back; kinds without it answer "unsupported" with their reason, and nothing is sent to them.
   */
  setSetting: operatorProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/clusters/{cluster}/members/{member}/settings",
        protect: true,
        tags: ["members"],
        summary: "Set a member setting (route, redirect, lbset, domain, distance) on every frontend and verify",
      },
    })
    .input(ZSettingInput)
    .output(ZMemberActionResult)
    .mutation(({ ctx, input }) =>
      applyMemberChange(
        ctx.db,
        input.cluster,
        input.member,
        { kind: "setting", setting: input.setting },
        { ...whoOf(ctx), frontendIds: input.frontendIds },
      ),
    ),
  /** Re-sends the intended state (and weight) to the frontends that drifted from it. */
  reapply: operatorProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/clusters/{cluster}/members/{member}/reapply",
        protect: true,
        tags: ["members"],
        summary: "Re-apply the intended state where a frontend drifted",
      },
    })
    .input(ZMemberTarget)
    .output(z.array(ZMemberActionResult))
    .mutation(({ ctx, input }) => reapplyMember(ctx.db, input.cluster, input.member, whoOf(ctx))),
  /** Whether every session routed to the member has a copy elsewhere (shared store or replica). */
  safeToStop: sessionViewerProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/clusters/{cluster}/members/{member}/safe-to-stop",
        protect: true,
        tags: ["members"],
        summary: "Safe to stop? Every session routed to the member has a copy elsewhere",
      },
    })
    .input(ZMemberTarget)
    .output(ZSafeToStop)
    .query(({ ctx, input }) => checkSafeToStop(ctx.db, input.cluster, input.member)),
  /** What an action would do, for confirm dialogs. */
  impact: viewerProcedure
    .meta(
      restRoute("GET", "/clusters/{cluster}/members/{member}/impact", "members", "What a verb on one member would do"),
    )
    .input(ZMemberTarget.extend({ verb: z.enum(STATE_VERB_NAMES) }))
    .output(ZMemberImpact)
    .query(({ ctx, input }) => describeImpact(ctx.db, input.cluster, input.member, input.verb)),
});
