// `new <id>`: a new connector plugin copied from plugins/template, with its id, name and test renamed.
// Two shapes: inside the hub (plugins/<id>/ and test/plugins/<id>.test.ts, loaded as a built-in), or,
// with --dir, a standalone npm package (package.json, tsconfig, its test, and the SDK packed into
// vendor/ as its `cx-hub` dev dependency) to develop, test and build outside this repository.
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { ConflictError, ValidationError } from "../../domain/errors.ts";
import { projectPath } from "../../project-files.ts";
import { packSdk, readHubManifest } from "../sdk-package.ts";

/** The rule defineConnector checks, so that a scaffolded plugin loads. */
const PLUGIN_ID = /^[a-z][a-z0-9-]{0,62}$/;

export interface ScaffoldOptions {
  id: string;
  /** What people read; from the id when omitted ("acme-desk" → "Acme Desk"). */
  name?: string;
  /** A standalone package in this folder; when omitted, plugins/<id> inside the hub at `root`. */
  dir?: string;
  /** The hub's folder (this project by default): where plugins/ and test/plugins/ are. */
  root?: string;
}

export interface ScaffoldResult {
  /** The plugin's folder. */
  pluginDir: string;
  /** Its test file. */
  testFile: string;
  /** true for a standalone package (--dir). */
  standalone: boolean;
  /** Every file written, relative to the current folder. */
  files: string[];
}

export function titleFromId(id: string): string {
  return id
    .split("-")
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join(" ");
}

export async function scaffoldPlugin(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const { id } = options;
  if (!PLUGIN_ID.test(id)) {
    throw new ValidationError(
      `"${id}" cannot be a plugin id: use lower-case letters, digits and dashes, starting with a letter (such as "acme-desk").`,
      [{ path: ["id"], message: "lower-case letters, digits and dashes, starting with a letter" }],
    );
  }
  if (id === "template") {
    throw new ValidationError(
      '"template" is the template\'s own id: choose your provider\'s ("acme-desk").',
      [{ path: ["id"], message: "taken by the template" }],
    );
  }
  // The name lands in a comment, a README heading and package.json: one line of text, no markup.
  if (options.name !== undefined && !/^[^\p{Cc}]{1,100}$/u.test(options.name)) {
    throw new ValidationError(
      "The plugin's --name must be one line of at most 100 characters, without control characters.",
      [{ path: ["name"], message: "one line, 1 to 100 characters" }],
    );
  }
  const root = options.root ?? projectPath();
  const standalone = options.dir !== undefined;
  const pluginDir = path.resolve(options.dir ?? path.join(root, "plugins", id));
  const testFile = standalone
    ? path.join(pluginDir, "test", `${id}.test.ts`)
    : path.join(root, "test", "plugins", `${id}.test.ts`);
  for (const target of [pluginDir, testFile]) {
    if (await exists(target)) {
      throw new ConflictError(
        `${path.relative(process.cwd(), target) || target} already exists: choose another id or --dir, or remove it first.`,
      );
    }
  }

  const name = options.name ?? titleFromId(id);
  try {
    await mkdir(path.dirname(pluginDir), { recursive: true });
    await cp(projectPath("plugins", "template"), pluginDir, {
      recursive: true,
      errorOnExist: true,
      force: false,
    });
    await rewrite(path.join(pluginDir, "index.ts"), (text) => renameIndex(text, id, name));
    await rewrite(path.join(pluginDir, "README.md"), (text) => renameReadme(text, id, name));
    const testSource = await readFile(projectPath("test", "plugins", "template.test.ts"), "utf8");
    await mkdir(path.dirname(testFile), { recursive: true });
    await writeFile(testFile, renameTest(testSource, id, posixRelative(path.dirname(testFile), pluginDir)));
    if (standalone) await writePackageFiles(pluginDir, id, name);
  } catch (error) {
    // Both were checked absent above: what is there now is this run's half-made plugin.
    await rm(pluginDir, { recursive: true, force: true });
    await rm(testFile, { force: true });
    throw error;
  }

  const files = (await readdir(pluginDir, { recursive: true }))
    .map((file) => path.join(pluginDir, file))
    .concat(standalone ? [] : [testFile]);
  const listed: string[] = [];
  for (const file of files) if ((await stat(file)).isFile()) listed.push(path.relative(process.cwd(), file));
  return { pluginDir, testFile, standalone, files: listed.sort() };
}

/** Replaces `from` in `text`, which must be there: a template that changed breaks the scaffold loudly. */
function replaceOnce(text: string, from: string | RegExp, to: string, file: string): string {
  const found = typeof from === "string" ? text.includes(from) : from.test(text);
  if (!found)
    throw new Error(`plugins/template/${file} no longer has ${String(from)}: update scaffold-plugin.ts.`);
  return text.replace(from, to);
}

function renameIndex(text: string, id: string, name: string): string {
  let out = replaceOnce(
    text,
    /^\/\/ The template connector, for Tiny Desk,/m,
    `// The ${id} connector (${name}), scaffolded from the template, which syncs Tiny Desk,`,
    "index.ts",
  );
  out = replaceOnce(out, 'id: "template",', `id: ${JSON.stringify(id)},`, "index.ts");
  out = replaceOnce(out, 'name: "Tiny Desk (template)",', `name: ${JSON.stringify(name)},`, "index.ts");
  return out;
}

function renameReadme(text: string, id: string, name: string): string {
  let out = replaceOnce(
    text,
    /^# Template connector: Tiny Desk\n/,
    `# ${name} connector (\`${id}\`)\n\nScaffolded by \`npm run connectors -- new ${id}\` from the template: it still syncs the template's example provider, Tiny Desk. Replace \`client.ts\`, \`mapping.ts\`, \`events.ts\`, the fixtures and the API section below with your provider's, citing its documentation. What follows is the template's README.\n\n## The template: Tiny Desk\n`,
    "README.md",
  );
  out = replaceOnce(
    out,
    "The hub's loader skips this folder: it is a template, not an installed plugin.\n",
    "",
    "README.md",
  );
  return out;
}

function renameTest(text: string, id: string, pluginPath: string): string {
  let out = replaceOnce(text, "// The template connector against", `// The ${id} connector against`, "test");
  out = out.replaceAll("the template connector's", `the ${id} connector's`);
  out = out.replace("(plugins/template/fixtures)", "(its fixtures/ folder)");
  out = replaceOnce(out, /\.\.\/\.\.\/plugins\/template\//g, `${pluginPath}/`, "test");
  out = replaceOnce(out, "import template from", "import connector from", "test");
  // The connector is the only thing the test names `template` (in code; its strings were renamed above).
  return out.replace(/\btemplate\b/g, "connector");
}

/** A relative import path ("../index.ts" style), with forward slashes and a leading "./" when needed. */
function posixRelative(from: string, to: string): string {
  const relative = path.relative(from, to).split(path.sep).join("/");
  return relative.startsWith(".") ? relative : `./${relative}`;
}

/** package.json, the tsconfigs, .gitignore and the packed SDK of a standalone plugin package. */
async function writePackageFiles(dir: string, id: string, name: string): Promise<void> {
  const hub = await readHubManifest();
  const sdk = await packSdk(path.join(dir, "vendor"));
  const devRange = (pkg: string) => hub.devDependencies[pkg] ?? hub.dependencies[pkg] ?? "*";
  const manifest = {
    name: `cx-hub-plugin-${id}`,
    version: "0.1.0",
    description: `${name}: a CX Hub connector plugin.`,
    type: "module",
    exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
    files: ["dist", "README.md"],
    scripts: { build: "tsc -p tsconfig.build.json", typecheck: "tsc --noEmit", test: "vitest run" },
    // The hub hands a plugin its own SDK when it loads it (so cx-hub is optional at run time), and its zod.
    peerDependencies: { "cx-hub": `>=${sdk.version}`, zod: hub.dependencies.zod },
    peerDependenciesMeta: { "cx-hub": { optional: true } },
    devDependencies: {
      "@types/node": devRange("@types/node"),
      "cx-hub": `file:${posixRelative(dir, sdk.tarball)}`,
      msw: devRange("msw"),
      typescript: devRange("typescript"),
      vitest: devRange("vitest"),
      zod: devRange("zod"),
    },
    engines: { node: ">=20.19" },
  };
  await writeFile(path.join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const compilerOptions = {
    target: "ES2023",
    // Node's types and nothing of the browser's: the hub runs plugins on Node.
    lib: ["ES2023"],
    types: ["node"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    allowImportingTsExtensions: true,
    rewriteRelativeImportExtensions: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    noEmit: true,
  };
  await writeJson(path.join(dir, "tsconfig.json"), { compilerOptions, include: ["*.ts", "test"] });
  await writeJson(path.join(dir, "tsconfig.build.json"), {
    extends: "./tsconfig.json",
    compilerOptions: { noEmit: false, declaration: true, outDir: "dist", rootDir: "." },
    include: ["*.ts"],
    exclude: ["vitest.config.ts"],
  });
  await writeFile(
    path.join(dir, "vitest.config.ts"),
    'import { defineConfig } from "vitest/config";\n\nexport default defineConfig({ test: { include: ["test/**/*.test.ts"] } });\n',
  );
  await writeFile(path.join(dir, ".gitignore"), "node_modules/\ndist/\n");
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

async function rewrite(file: string, change: (text: string) => string): Promise<void> {
  await writeFile(file, change(await readFile(file, "utf8")));
}

async function exists(target: string): Promise<boolean> {
  return stat(target).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return false;
      throw error;
    },
  );
}
