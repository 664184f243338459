// moved to src/connectors/connector-services.ts; re-exported for src/main.ts until the write-pipeline branch lands
export * from "../../connectors/connector-services.ts";
