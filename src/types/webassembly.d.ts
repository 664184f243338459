// The slice of the WebAssembly JS API that src/db/schema-engine.ts uses. TypeScript declares
// WebAssembly only in its DOM library, which would also bring browser globals into server code.
declare namespace WebAssembly {
  // biome-ignore lint/suspicious/noExplicitAny: imports and exports are untyped by nature
  type ModuleImports = Record<string, any>;
  // biome-ignore lint/suspicious/noExplicitAny: imports and exports are untyped by nature
  type Exports = Record<string, any>;
  type Module = object;
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(deltaPages: number): number;
  }
  interface Instance {
    readonly exports: Exports;
  }
  function compile(bytes: Uint8Array): Promise<Module>;
  function instantiate(module: Module, imports?: Record<string, ModuleImports>): Promise<Instance>;
}
