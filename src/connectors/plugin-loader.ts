// Loading connector plugins: the built-in ones (plugins/<name>/index.ts) and third-party npm
// packages named in configuration (CXHUB_PLUGINS), each a module whose default export is a connector.
// Every candidate is checked (SDK api version first, then its shape) and refused with a sentence that
// says what to do; one bad plugin never stops the others, nor the server.
import { readdir, stat } from "node:fs/promises";
import { register } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { MODULE_EXTENSION, MODULES_ROOT } from "../project-files.ts";
import { type AnyConnector, SDK_API_VERSION } from "../sdk/define-connector.ts";
import { connectorProblems } from "../sdk/validate-connector.ts";

/** The SDK api versions this hub can run. */
export const SUPPORTED_SDK_API_VERSIONS: readonly number[] = [SDK_API_VERSION];

/** Folders of the built-in plugins folder that are not plugins (the template is there to be copied). */
const NOT_PLUGINS = new Set(["template", "node_modules"]);

export interface LoadedPlugin {
  id: string;
  connector: AnyConnector;
  /** Where it came from, for messages: "plugins/shopify/index.ts" or "package cx-hub-plugin-zendesk". */
  source: string;
  origin: { kind: "builtin"; path: string } | { kind: "package"; name: string };
}

export interface RefusedPlugin {
  source: string;
  reason: string;
}

export interface LoadPluginsOptions {
  /** The built-in plugins' folder (plugins/); each sub-folder with an index.ts is one plugin. */
  builtinDir?: string;
  /** npm package names of third-party plugins, installed beside the hub (CXHUB_PLUGINS). */
  packages?: string[];
  /**
   * How a package is imported; by default with Node's own resolution from the hub's folder.
   */
  importPackage?: (name: string) => Promise<unknown>;
  /**
   * Make `cx-hub/sdk` resolve to this hub's SDK (default true), so that a package runs against the
   * SDK of the hub that loads it, whose api version is the one checked.
   */
  provideSdk?: boolean;
}

export interface LoadPluginsResult {
  plugins: LoadedPlugin[];
  refused: RefusedPlugin[];
}

/** Loads every plugin it can; what it cannot load is listed in `refused` with the reason. */
export async function loadPlugins(options: LoadPluginsOptions): Promise<LoadPluginsResult> {
  const candidates: Array<{ source: string; origin: LoadedPlugin["origin"]; load: () => Promise<unknown> }> =
    [];
  const refused: RefusedPlugin[] = [];

  if (options.builtinDir) {
    for (const file of await builtinEntries(options.builtinDir)) {
      const source = path.relative(process.cwd(), file) || file;
      candidates.push({
        source,
        origin: { kind: "builtin", path: file },
        load: () => import(pathToFileURL(file).href),
      });
    }
  }
  const packages = [...new Set(options.packages ?? [])];
  if (packages.length > 0 && options.provideSdk !== false) provideSdkToPackages();
  const importPackage = options.importPackage ?? ((name: string) => import(name));
  for (const name of packages) {
    candidates.push({
      source: `package ${name}`,
      origin: { kind: "package", name },
      load: () => importPackage(name),
    });
  }

  const plugins: LoadedPlugin[] = [];
  const byId = new Map<string, LoadedPlugin>();
  for (const candidate of candidates) {
    let module: unknown;
    try {
      module = await candidate.load();
    } catch (error) {
      refused.push({ source: candidate.source, reason: importFailure(candidate, error) });
      continue;
    }
    const checked = checkPlugin(module);
    if (!checked.ok) {
      refused.push({
        source: candidate.source,
        reason: `plugin ${checked.label} at ${candidate.source}: ${checked.reason}`,
      });
      continue;
    }
    const { connector } = checked;
    const taken = byId.get(connector.id);
    if (taken) {
      refused.push({
        source: candidate.source,
        reason: `plugin '${connector.id}' at ${candidate.source}: the id '${connector.id}' is taken by ${taken.source}; plugin ids must be unique (uninstall one of them, or give it another id)`,
      });
      continue;
    }
    const loaded: LoadedPlugin = {
      id: connector.id,
      connector,
      source: candidate.source,
      origin: candidate.origin,
    };
    byId.set(connector.id, loaded);
    plugins.push(loaded);
  }
  return { plugins, refused };
}

type Checked = { ok: true; connector: AnyConnector } | { ok: false; label: string; reason: string };

/** Checks a module's default export: api version first (its shape may differ by version), then shape. */
export function checkPlugin(module: unknown): Checked {
  const exported = (module as { default?: unknown } | null)?.default;
  const id = (exported as { id?: unknown } | null | undefined)?.id;
  const label = typeof id === "string" && id !== "" ? `'${id}'` : "(no id)";
  if (exported === undefined || exported === null || typeof exported !== "object") {
    return {
      ok: false,
      label,
      reason:
        "its module has no default export of a connector; write `export default defineConnector({ … })`",
    };
  }
  const version = (exported as { sdkApiVersion?: unknown }).sdkApiVersion;
  if (version === undefined) {
    return {
      ok: false,
      label,
      reason:
        "its default export has no sdkApiVersion; build it with defineConnector from cx-hub/sdk, which stamps it",
    };
  }
  if (typeof version !== "number" || !Number.isInteger(version)) {
    return {
      ok: false,
      label,
      reason: `its sdkApiVersion must be a whole number, not ${JSON.stringify(version)}`,
    };
  }
  if (!SUPPORTED_SDK_API_VERSIONS.includes(version)) {
    const hub = SDK_API_VERSION;
    const advice =
      version > hub
        ? `upgrade the hub or install a version of the plugin built for api ${hub}`
        : `install a version of the plugin built for api ${hub}`;
    return { ok: false, label, reason: `built for SDK api ${version}, this hub speaks ${hub}; ${advice}` };
  }
  const problems = connectorProblems(exported);
  if (problems.length > 0) return { ok: false, label, reason: problems.join("; ") };
  return { ok: true, connector: exported as AnyConnector };
}

/** plugins/<name>/index.ts (index.js in the compiled hub) for every sub-folder that has one, in name order. */
async function builtinEntries(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const entries: string[] = [];
  for (const name of names.sort()) {
    if (NOT_PLUGINS.has(name) || name.startsWith(".") || name.startsWith("_")) continue;
    const file = path.join(dir, name, `index${MODULE_EXTENSION}`);
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile()) entries.push(file);
  }
  return entries;
}

function importFailure(
  candidate: { source: string; origin: LoadedPlugin["origin"] },
  error: unknown,
): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  if (
    candidate.origin.kind === "package" &&
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND")
  ) {
    const { name } = candidate.origin;
    // "Cannot find package 'x' imported from …": the package itself, or something it imports?
    const missing = /Cannot find (?:package|module) '([^']+)'/.exec(message)?.[1];
    if (missing === name || missing?.startsWith(`${name}/`)) {
      return `${candidate.source} is not installed: run npm install ${name} in the hub's folder, or remove it from CXHUB_PLUGINS`;
    }
  }
  return `${candidate.source} failed to load: ${message}`;
}

let sdkProvided = false;

/**
 * Makes `cx-hub/sdk` (and `cx-hub/sdk/testing`) resolve to this hub's own files from any module, so
 * that a package installed beside the hub, which cannot see the hub as one of its dependencies,
 * imports the SDK of the hub that loads it. A resolve hook (node:module register) that only
 * rewrites these two specifiers and hands everything else on.
 */
function provideSdkToPackages(): void {
  if (sdkProvided) return;
  sdkProvided = true;
  const targets = {
    "cx-hub/sdk": pathToFileURL(path.join(MODULES_ROOT, "src", "sdk", `index${MODULE_EXTENSION}`)).href,
    "cx-hub/sdk/testing": pathToFileURL(
      path.join(MODULES_ROOT, "src", "sdk", "testing", `index${MODULE_EXTENSION}`),
    ).href,
  };
  const hook = `const targets = ${JSON.stringify(targets)};
export async function resolve(specifier, context, next) {
  return next(Object.hasOwn(targets, specifier) ? targets[specifier] : specifier, context);
}`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}
