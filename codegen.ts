// GraphQL Code Generator: typed documents (TypedDocumentNode) for the operations in
// schema/operations, generated from the printed schema. The tests use them, so a schema change that
// breaks a real frontend query fails the type check. `npm run codegen` writes them;
// `npm run codegen -- --check` fails when they are stale.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "schema/schema.graphql",
  documents: ["schema/operations/**/*.graphql"],
  ignoreNoDocuments: false,
  generates: {
    "test/generated/graphql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false, gqlTagName: "graphql" },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        importExtension: ".ts",
        scalars: {
          DateTime: "string",
          Decimal: "string",
          JSONObject: "Record<string, unknown>",
        },
      },
    },
  },
};

export default config;
