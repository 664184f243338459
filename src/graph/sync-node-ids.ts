// A Pothos plugin that answers a node's `id` without a promise. The Relay plugin resolves every
// global ID field with an `async` function, so each customer, owner or interaction on a page came
// back as a promise: graphql-js then gathered every object of the page with Promise.all, and the
// scope-auth wrapper chained one more promise per ID (issue 15: a list page's customers were all
// completed asynchronously for the sake of their IDs). This resolves the same ID the same way (the
// node's own id resolver, then the builder's encoder) and keeps the Relay resolver for an id
// resolver that is itself asynchronous. Every other plugin still wraps the field as before: it is
// registered last, so it replaces only the innermost resolver.
import SchemaBuilder, {
  BasePlugin,
  isThenable,
  type PothosOutputFieldConfig,
  type SchemaTypes,
} from "@pothos/core";
import { encodeGlobalID } from "@pothos/plugin-relay";
import type { GraphQLFieldResolver } from "graphql";

const pluginName = "syncNodeIds";

type RawIdResolver = (parent: unknown, args: object, context: object, info: unknown) => unknown;

export class SyncNodeIdsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types["Context"], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types["Context"], object> {
    const relay = this.builder.options.relay;
    if (fieldConfig.kind !== "Object" || fieldConfig.name !== (relay?.idFieldName ?? "id")) return resolver;
    const typeConfig = this.buildCache.getTypeConfig(fieldConfig.parentType);
    if (typeConfig.kind !== "Object") return resolver;
    // Set on node types only (addNodeProperties merges the node's options into its type's).
    const rawId = (typeConfig.pothosOptions as { id?: { resolve?: RawIdResolver } }).id?.resolve;
    if (typeof rawId !== "function") return resolver;
    const typeName = typeConfig.name;
    const encode = relay?.encodeGlobalID ?? encodeGlobalID;
    return (parent, args, context, info) => {
      const id = rawId(parent, args, context, info);
      if (isThenable(id)) return resolver(parent, args, context, info);
      return encode(typeName, String(id), context);
    };
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      syncNodeIds: SyncNodeIdsPlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin(pluginName, SyncNodeIdsPlugin);

export default pluginName;
