// A segment as a filter on other figures: its members, among the customers the viewer may see, as
// an SQL set (for the set-based analyses) or as Prisma conditions on the customer (for lists).
import { visibleOwnerId } from "../../auth/visibility.ts";
import { conditionsWhere } from "../../domain/customers/customer-filter.ts";
import { segmentFilter } from "../../domain/segments/segment-definition.ts";
import { findSegment, segmentMembersSql } from "../../domain/segments/segment-members.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import type { GraphContext } from "../context.ts";
import { expectGlobalId } from "../global-ids.ts";
import { segmentConditions } from "./customer-queries.ts";

type GlobalId = { typename: string; id: string };

/** `SELECT id` of the segment's members the viewer may see; `path` names the argument for errors. */
export async function segmentMembersFor(
  context: GraphContext,
  segmentId: GlobalId,
  path: string[],
): Promise<Prisma.Sql> {
  const segment = await findSegment(context.prisma, expectGlobalId(segmentId, "Segment", path));
  return segmentMembersSql(segmentFilter(segment), visibleOwnerId(context.viewer));
}

/** The segment's members the viewer may see, as one condition on a customer. */
export async function segmentCustomerWhere(
  context: GraphContext,
  segmentId: GlobalId,
  path: string[],
): Promise<Prisma.CustomerWhereInput> {
  const segment = await findSegment(context.prisma, expectGlobalId(segmentId, "Segment", path));
  return conditionsWhere(await segmentConditions(context, segment, { members: true }));
}
