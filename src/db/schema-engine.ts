// Prisma's schema engine (the part of the Prisma CLI that applies and plans migrations), run as
// WebAssembly over our own driver adapters, so migrations work on a machine with no network and no
// native engine binary.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import * as engineBindings from "@prisma/schema-engine-wasm/schema_engine_bg";

export type SchemaEngine = engineBindings.SchemaEngine;

// Kept on globalThis, not in a module variable: the bindings module is shared by the whole process,
// while this module may be evaluated more than once (vitest loads it per project), and handing the
// bindings a second WebAssembly instance under a running engine corrupts its memory. `running` counts
// the engines at work, so that an unload never pulls the instance from under one.
const WASM_STATE = Symbol.for("cx-hub.schema-engine-wasm");
interface WasmState {
  started?: Promise<WasmExports>;
  /** The instance's exports once started. */
  loaded?: WasmExports;
  running: number;
}
type WasmExports = WebAssembly.Exports & { memory: WebAssembly.Memory; __wbindgen_start(): void };
const processWide = globalThis as { [WASM_STATE]?: WasmState };
processWide[WASM_STATE] ??= { running: 0 };
const wasmState = processWide[WASM_STATE];

/**
 * Instantiates the engine's WebAssembly once (until unloaded). The package's own entry imports the
 * .wasm file as an ES module, which Node refuses, so we compile it ourselves and hand it to the bindings.
 */
function startWasm(): Promise<WasmExports> {
  wasmState.started ??= (async () => {
    const require = createRequire(import.meta.url);
    const bindingsPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const wasmPath = bindingsPath.replace(/schema_engine_bg\.js$/, "schema_engine_bg.wasm");
    const module = await WebAssembly.compile(await readFile(wasmPath));
    const instance = await WebAssembly.instantiate(module, {
      "./schema_engine_bg.js": engineBindings as unknown as WebAssembly.ModuleImports,
    });
    const exports = instance.exports as WasmExports;
    engineBindings.__wbg_set_wasm(exports);
    exports.__wbindgen_start();
    wasmState.loaded = exports;
    return exports;
  })();
  return wasmState.started;
}

/**
 * Lets the engine's WebAssembly be collected: its compiled code and its linear memory (tens of MB a
 * server would otherwise carry for its whole life, for migrations it ran once at start-up). Does
 * nothing while an engine is at work or when none was loaded; the next use instantiates it again.
 */
export function unloadSchemaEngine(): void {
  // An instantiation in flight always has an engine waiting for it, so `running` covers it too.
  const exports = wasmState.loaded;
  if (!exports || wasmState.running > 0) return;
  wasmState.started = undefined;
  wasmState.loaded = undefined;
  // The bindings cache views of the memory's buffer, which would keep the whole memory alive; growing
  // by nothing detaches that buffer (the WebAssembly JS API says so), and a later instance's calls see
  // the views empty and make new ones over its own memory.
  exports.memory.grow(0);
  engineBindings.__wbg_set_wasm(INERT);
}

/** Whether the engine's WebAssembly is instantiated (or being instantiated) in this process. */
export function isSchemaEngineLoaded(): boolean {
  return wasmState.started !== undefined;
}

/**
 * What the bindings hold once the engine is unloaded: any late call (a finalizer of a dropped
 * engine) is a no-op instead of a crash, and no reference to the old instance remains.
 */
const INERT: unknown = new Proxy(() => {}, {
  get: () => INERT,
  apply: () => INERT,
});

/**
 * Runs `work` with a schema engine connected through `adapterFactory`, and frees it afterwards.
 * Errors the adapter reports to the engine arrive as opaque ids; they are turned back into the
 * original driver errors so the caller sees what the database said.
 */
export async function withSchemaEngine<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  datamodels: Array<[path: string, content: string]> | undefined,
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  wasmState.running++;
  try {
    await startWasm();
    return await runEngine(adapterFactory, datamodels, work);
  } finally {
    wasmState.running--;
  }
}

async function runEngine<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  datamodels: Array<[path: string, content: string]> | undefined,
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const connections = trackConnections(adapterFactory);
  const bound = bindMigrationAwareSqlAdapterFactory(connections.factory);
  const debugLog = () => {};
  const engine = await engineBindings.SchemaEngine.new({ datamodels }, debugLog, bound);
  try {
    return await work(engine);
  } catch (error) {
    throw resolveAdapterError(error, bound.errorRegistry);
  } finally {
    engine.free();
    await connections.disposeAll();
  }
}

/**
 * The engine opens connections through the factory but does not close them when freed; left open,
 * a PostgreSQL pool would hold the database (blocking DROP DATABASE, for one) until the process exits.
 */
function trackConnections(factory: SqlMigrationAwareDriverAdapterFactory) {
  const opened: SqlDriverAdapter[] = [];
  const remember = (adapter: SqlDriverAdapter) => {
    opened.push(adapter);
    return adapter;
  };
  return {
    factory: {
      provider: factory.provider,
      adapterName: factory.adapterName,
      connect: async () => remember(await factory.connect()),
      connectToShadowDb: async () => remember(await factory.connectToShadowDb()),
    } satisfies SqlMigrationAwareDriverAdapterFactory,
    async disposeAll() {
      await Promise.all(opened.splice(0).map((adapter) => adapter.dispose()));
    },
  };
}

interface ErrorRegistry {
  consumeError(id: number): { error: unknown } | undefined;
}

function resolveAdapterError(error: unknown, registry: ErrorRegistry): unknown {
  const id = (error as { id?: unknown } | null)?.id;
  if (typeof id === "number") {
    const original = registry.consumeError(id);
    if (original) return original.error;
  }
  if (error instanceof Error) return error;
  // The engine reports its own failures as plain objects with a message.
  const message = (error as { message?: unknown } | null)?.message;
  return new Error(typeof message === "string" ? message : JSON.stringify(error));
}
