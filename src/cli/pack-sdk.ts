// `npm run sdk:pack [-- <folder>]`: packs the SDK (cx-hub/sdk and cx-hub/sdk/testing) into an npm
// tarball, in the current folder by default, for a plugin developed outside the hub to depend on
// (sdk-package.ts says what it holds).

import { runCli, UsageError } from "./run-cli.ts";
import { packSdk } from "./sdk-package.ts";

runCli(async (args) => {
  if (args.length > 1 || args[0]?.startsWith("-"))
    throw new UsageError("Usage: npm run sdk:pack [-- <folder>]");
  const sdk = await packSdk(args[0] ?? ".");
  console.log(`Packed ${sdk.name}@${sdk.version} (cx-hub/sdk, cx-hub/sdk/testing) into ${sdk.tarball}.`);
  console.log(`A plugin depends on it with: npm install --save-dev ${sdk.tarball}`);
  return 0;
});
