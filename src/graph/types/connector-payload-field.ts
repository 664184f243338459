// The `connector` field of the connector mutations' payloads, which carry only the connector's id:
// the connector is read as stored after the change, with the selection planned by Pothos' Prisma plugin.
import type { builder } from "../builder.ts";

type SchemaTypesOf<B> = B extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/** A payload's `connector` field: the connector named by the payload's connectorId, as stored now. */
export function storedConnectorField(
  t: PothosSchemaTypes.ObjectFieldBuilder<SchemaTypesOf<typeof builder>, { connectorId: string }>,
  description: string,
) {
  return t.prismaField({
    type: "Connector",
    description,
    resolve: (query, payload, _args, context) =>
      context.prisma.connector.findUniqueOrThrow({ ...query, where: { id: payload.connectorId } }),
  });
}
