// Query.node and Query.nodes (Relay's object identification), answering null for an ID that names
// nothing — a deleted object, a well-formed ID of no object, a type that has no such ID — instead of
// an error, and null at that position only in a list. An ID that is not one of ours at all
// (undecodable) is refused as BAD_USER_INPUT before this runs (src/graph/errors.ts).
import { resolveNodes } from "@pothos/plugin-relay";
import { type GraphQLResolveInfo, isObjectType } from "graphql";
import { builder } from "../builder.ts";
import { isUuid } from "../global-ids.ts";
import { bounded } from "../input-bounds.ts";

/** The most IDs one `nodes` request may name: each is a lookup of its own. */
export const MAX_NODE_IDS = 100;

type GlobalId = { typename: string; id: string };

/** Whether the ID could name an object: a type that implements Node, and an id of the form we give out. */
function couldExist(globalId: GlobalId, info: GraphQLResolveInfo): boolean {
  const type = info.schema.getType(globalId.typename);
  return (
    isObjectType(type) &&
    type.getInterfaces().some((implemented) => implemented.name === "Node") &&
    isUuid(globalId.id)
  );
}

/** Prisma's "no record found" from a node's findUniqueOrThrow. */
function isNotFound(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "P2025";
}

async function loadNode(globalId: GlobalId, context: object, info: GraphQLResolveInfo): Promise<unknown> {
  if (!couldExist(globalId, info)) return null;
  try {
    const [node] = await resolveNodes(builder, context, info, [globalId]);
    return node ?? null;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

builder.queryFields((t) => ({
  node: t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description:
      "Fetches any object by its global ID (the `id` field of every type that implements Node); null when the ID names nothing.",
    args: {
      id: t.arg.globalID({
        required: true,
        description: "The global ID of the object to fetch.",
        extensions: { relayGlobalIDAlwaysParse: true },
      }),
    },
    resolve: (_root, args, context, info) => loadNode(args.id, context, info),
  }),
  nodes: t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description: `Fetches up to ${MAX_NODE_IDS} objects by their global IDs, in the order given; null at the position of an ID that names nothing.`,
    // Each ID is a lookup: the list given is what the operation costs.
    complexity: (args) => ({ field: 1, multiplier: args.ids.length }),
    args: {
      ids: t.arg.globalIDList({
        required: true,
        description: `The global IDs of the objects to fetch: at most ${MAX_NODE_IDS}.`,
        extensions: { relayGlobalIDAlwaysParse: true, ...bounded({ maxItems: MAX_NODE_IDS }).extensions },
      }),
    },
    resolve: (_root, args, context, info) => Promise.all(args.ids.map((id) => loadNode(id, context, info))),
  }),
}));
