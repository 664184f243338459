// Who may use the connector part of the API, as the auth scopes of its types and fields: one
// definition for the connector, sync-run and dead-letter modules beside this one.

/** Who may read connectors, their runs and dead letters (not payloads): everyone but account managers. */
export const CONNECTOR_READERS = { $any: { admin: true, integrator: true, analyst: true } };
/** Who may change connectors, run them, read dead-letter payloads and replay them. */
export const CONNECTOR_WRITERS = { $any: { admin: true, integrator: true } };
