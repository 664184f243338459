// The bundle's Prisma runtime keeps its parameter graph's edges as dictionaries
// (src/build/prisma-sparse-edges.ts): the edit applies to both of the runtime's builds, refuses code it
// does not know, and the objects it makes hold and enumerate exactly what plain objects do. That the
// bundled client still answers is the compiled hub's start-up tests' (test/startup.test.ts); what it
// saves is the memory bench's (`npm run bench -- --only memory`).
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { DECLARATION, editPrismaRuntime, SPARSE_EDGES } from "../../src/build/prisma-sparse-edges.ts";

const require = createRequire(import.meta.url);
const runtimeFolder = path.dirname(require.resolve("@prisma/client/runtime/client"));

/** The function the edit declares, as the bundle runs it. */
const sparseEdges = new Function(`${DECLARATION}return ${SPARSE_EDGES};`)() as () => Record<number, unknown>;

describe("Prisma's runtime bundled with prisma-sparse-edges", () => {
  test("edits both edges objects of the deserializer in the CommonJS and ES module builds", async () => {
    for (const file of ["client.js", "client.mjs"]) {
      const source = await readFile(path.join(runtimeFolder, file), "utf8");
      const edited = editPrismaRuntime(source);
      expect(edited.split(`=${SPARSE_EDGES}();for(`)).toHaveLength(3);
      // Applied again, it finds none of the objects left to edit.
      expect(() => editPrismaRuntime(edited)).toThrow(/has 0 places/);
      if (file === "client.js") expect(edited.startsWith(`"use strict";${DECLARATION}`)).toBe(true);
    }
  });

  test("refuses a runtime whose deserializer it does not know", () => {
    expect(() =>
      editPrismaRuntime("let i=this.#i(),o=new Map;for(let s=0;s<i;s++){let a=this.#i(),"),
    ).toThrow(/update its edit for this Prisma version/);
  });

  test("makes objects that hold, read and enumerate their edges as plain objects do", () => {
    const plain: Record<number, unknown> = {};
    const sparse = sparseEdges();
    for (const index of [1207, 899, 905, 3]) {
      plain[index] = { flags: index };
      sparse[index] = { flags: index };
    }
    expect(Object.keys(sparse)).toEqual(Object.keys(plain));
    expect(JSON.stringify(sparse)).toBe(JSON.stringify(plain));
    expect(Object.getPrototypeOf(sparse)).toBe(Object.prototype);
    expect(sparse[899]).toEqual({ flags: 899 });
    expect(4294967294 in sparse).toBe(false);
    expect(Object.hasOwn(sparse, 1207)).toBe(true);
    expect(sparse[4]).toBeUndefined();
  });
});
