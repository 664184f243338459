// The pglite project: its data-layer tests run on the embedded database, each test file starting its
// instance from the migrated tarball that setup-pglite-snapshots.ts made (listed before this one).
import type { TestProject } from "vitest/node";
import "./provided.ts";

export default function setup(project: TestProject) {
  project.provide("databaseKind", "pglite");
}
