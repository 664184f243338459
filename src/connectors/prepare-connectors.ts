// At start-up: the connector plugins this hub can run, and the key that encrypts their secrets.
// A plugin that cannot load is reported and left out; the server starts with the others.
import path from "node:path";
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import { MODULES_ROOT } from "../project-files.ts";
import { type LoadedPlugin, loadPlugins } from "./plugin-loader.ts";
import { loadOrCreateSecretKey } from "./secret-box.ts";

export const BUILTIN_PLUGINS_DIR = path.join(MODULES_ROOT, "plugins");

export interface PreparedConnectors {
  plugins: LoadedPlugin[];
  /** Null when no key is configured (PostgreSQL without CXHUB_SECRET_KEY): secrets cannot be stored. */
  secretKey: Buffer | null;
}

export async function prepareConnectors(config: Config, logger: Logger): Promise<PreparedConnectors> {
  const { plugins, refused } = await loadPlugins({
    builtinDir: BUILTIN_PLUGINS_DIR,
    packages: config.pluginPackages,
  });
  for (const plugin of refused)
    logger.warn(`Connector plugin ${plugin.source} was not loaded: ${plugin.reason}`);
  logger.info(`Connector plugins: ${plugins.map((plugin) => plugin.id).join(", ") || "none"}.`);

  let secretKey: Buffer | null = null;
  if (config.secretKey.kind === "value") secretKey = config.secretKey.key;
  if (config.secretKey.kind === "file") {
    const loaded = await loadOrCreateSecretKey(config.secretKey.dir);
    if (loaded.created) {
      logger.info(
        `Created ${loaded.path}, the key that encrypts connector secrets: back it up with the data, which cannot be read without it.`,
      );
    }
    secretKey = loaded.key;
  }
  if (!secretKey) {
    logger.warn(
      "CXHUB_SECRET_KEY is not set, so connectors cannot store credentials: set it to 32 random bytes (openssl rand -base64 32), the same on every instance.",
    );
  }
  return { plugins, secretKey };
}
