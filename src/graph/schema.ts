// The GraphQL schema: every type module, then the build. Import order does not matter to Pothos.
import { builder } from "./builder.ts";
import { describeGeneratedParts } from "./describe-generated-parts.ts";
import "./types/customer.ts";
import "./types/identity.ts";
import "./types/interaction.ts";

export function createGraphSchema() {
  return describeGeneratedParts(builder.toSchema({ sortSchema: true }));
}
