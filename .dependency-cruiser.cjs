// The layers of src/, checked by `npm run check:layers` (and so by `npm run check` and CI).
// Data flows one way and imports point down:
//   foundation (errors, logger, clock, config, policy, streams, metrics)
//   ← db (with the generated Prisma client)
//   ← domain, auth                      sdk beside them, standing alone (no Prisma client)
//   ← scoring ← alerts ← pipeline (the one write path)
//   ← connectors, demo ← webhooks (outgoing: endpoints, signing, delivery)
//   ← jobs (the job engine: schedules, slices, sync jobs, webhook deliveries) ← graph ← server, cli, main
// A plugin imports the SDK and nothing else of the hub. No module closes a loop.
const LAYERS = [
  ["foundation", "^src/(errors|logger|clock|config|project-files).ts$|^src/(config|policy|streams|metrics)/"],
  ["db", "^src/(db|generated)/"],
  ["domain", "^src/(domain|auth)/"],
  ["scoring", "^src/scoring/"],
  ["alerts", "^src/alerts/"],
  ["pipeline", "^src/pipeline/"],
  ["connectors", "^src/(connectors|demo)/"],
  ["webhooks", "^src/webhooks/"],
  ["jobs", "^src/jobs/"],
  ["graph", "^src/graph/"],
  ["server", "^src/(server|alerts-page|cli)/|^src/main\\.ts$"],
];

const above = (index) =>
  LAYERS.slice(index + 1)
    .map(([, path]) => `(${path})`)
    .join("|");

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment:
        "A loop of imports hides which module depends on which: break it by moving the shared piece down.",
      from: { path: "^(src|plugins)/" },
      to: { circular: true },
    },
    ...LAYERS.slice(0, -1).map(([name, path], index) => ({
      name: `${name}-imports-nothing-above-it`,
      severity: "error",
      comment: `The ${name} layer sits below ${LAYERS.slice(index + 1)
        .map(([n]) => n)
        .join(", ")}: an import from there points up. Move the shared piece down, or pass it in.`,
      from: { path },
      to: { path: above(index) },
    })),
    {
      name: "sdk-stands-alone",
      severity: "error",
      comment:
        "The public SDK (cx-hub/sdk) ships without the hub: it imports no other part of src/, and never the Prisma client.",
      from: { path: "^src/sdk/" },
      to: { path: "^src/", pathNot: "^src/sdk/" },
    },
    {
      name: "plugins-use-only-the-sdk",
      severity: "error",
      comment: "A connector plugin talks to the hub through cx-hub/sdk alone.",
      from: { path: "^plugins/" },
      to: { path: "^src/", pathNot: "^src/sdk/" },
    },
    {
      name: "no-unresolvable-imports",
      severity: "error",
      from: { path: "^(src|plugins)/" },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // TypeScript 7 has no JavaScript API to parse with; swc reads the sources instead.
    parser: "swc",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    // Packages that publish only "exports" (uuid, and this package's own cx-hub/sdk) resolve as Node does.
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
      mainFields: ["module", "main"],
    },
    exclude: { path: "^src/generated/|^src/alerts-page/app\\.js$" },
  },
};
