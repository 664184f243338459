// `npm start` runs the compiled hub, and a compiled hub runs in production unless NODE_ENV says
// otherwise. main.ts imports this module first, so NODE_ENV is set before graphql and Pothos read it
// as their modules load: graphql-js then skips its development-time instanceof checks, and the Prisma
// plugin no longer wraps every query to warn about unused selections (builder.ts). A/B on the bench's
// pages in one run: 1.1x to 1.4x the throughput. From the sources (tsx: `npm run dev`, tests) the
// mode is left as it was given, and the spawned-hub tests pass NODE_ENV=test.
if (import.meta.url.endsWith(".js")) process.env.NODE_ENV ??= "production";
