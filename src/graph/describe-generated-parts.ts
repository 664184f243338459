// Pothos generates some parts of the schema with no way to describe them: the Relay connection and
// edge types, the prisma plugin's totalCount field, the arguments of node and nodes, and the errors
// plugin's result unions. Every type,
// field and argument must explain itself, so this fills in the conventional descriptions (derived
// from each connection's node type) in one place.
import { type GraphQLObjectType, type GraphQLSchema, getNamedType, isObjectType, isUnionType } from "graphql";

const FIELD_DESCRIPTIONS: Record<string, string> = {
  totalCount: "How many items match in all, across every page.",
};

const NODE_ARGUMENTS: Record<string, string> = {
  id: "The global ID of the object to fetch.",
  ids: "The global IDs of the objects to fetch.",
};

export function describeGeneratedParts(schema: GraphQLSchema): GraphQLSchema {
  for (const field of ["node", "nodes"].map((name) => schema.getQueryType()?.getFields()[name])) {
    for (const arg of field?.args ?? []) arg.description ??= NODE_ARGUMENTS[arg.name];
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (isUnionType(type) && type.name.endsWith("Result")) {
      const members = type.getTypes().map((member) => member.name);
      const payload = members.find((name) => !name.endsWith("Error"));
      const errors = members.filter((name) => name !== payload);
      type.description ??= `The result of a mutation: ${payload} when it succeeded, or one of ${errors.join(", ")} saying what to fix. Switch on __typename.`;
      continue;
    }
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    const isConnection = type.name.endsWith("Connection");
    if (!isConnection && !type.name.endsWith("Edge")) continue;
    const nodeName = nodeTypeName(type);
    type.description ??= isConnection
      ? `A page of ${nodeName} items (a Relay cursor connection): ask for \`first\` items \`after\` a cursor, or \`last\` items \`before\` one.`
      : `One ${nodeName} in a page, with its cursor.`;
    for (const field of Object.values(type.getFields())) {
      field.description ??= FIELD_DESCRIPTIONS[field.name];
    }
  }
  return schema;
}

/** The type of the items a connection or an edge carries. */
function nodeTypeName(type: GraphQLObjectType): string | undefined {
  const fields = type.getFields();
  const edgeType = fields.edges ? getNamedType(fields.edges.type) : type;
  const node = isObjectType(edgeType) ? edgeType.getFields().node : undefined;
  return node ? getNamedType(node.type).name : undefined;
}
