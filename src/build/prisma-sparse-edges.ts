// An esbuild plugin for the bundled hub (build.ts): Prisma's client runtime reads its parameter graph
// (which fields of which input and output types a query may hold, used to parameterize queries) into
// one `edges` object per type, keyed by the field name's index in the graph's string table: indices in
// the hundreds and thousands, a few per object. V8 stores the keys of a new object that are array
// indices as a flat array long enough to reach the highest one, so each object held up to 11 KB for
// two or three edges: 2,425 of them, 10.4 MB of the hub's heap at ready (issue 15: memory at ready;
// a heap snapshot's "(object elements)" of objects named `edges`).
//
// Each `edges` object is made instead with its indexed keys kept as a dictionary: an index beyond the
// flat array's reach (4294967294, the highest array index) is set and deleted at once, and V8 does not
// turn the object back. The object holds the same keys and values, enumerated in the same order; only
// the memory it takes changes (27.9 MB against 0.8 MB for 2,425 such objects, Node 20 and 24).
//
// Each edit names the text it replaces, and the build fails when Prisma's code is not the one it
// knows (a Prisma upgrade that changed it), rather than bundle the large objects silently.
import { readFile } from "node:fs/promises";
import type * as esbuild from "esbuild";
import { prependDeclaration } from "./prepend-declaration.ts";

export const SPARSE_EDGES = "__cxhubSparseEdges";
export const DECLARATION = `function ${SPARSE_EDGES}() { const edges = {}; edges[4294967294] = 0; delete edges[4294967294]; return edges; }\n`;

/**
 * The deserializer's reading of input and output nodes, as Prisma 7's minified runtime writes it: the
 * node's edge count read, an empty `edges` object, then a loop reading each edge's field index with
 * the same reader.
 */
const EDGES_OBJECT =
  /let (\w+)=this\.#(\w+)\(\),(\w+)=\{\};(for\(let (\w+)=0;\5<\1;\5\+\+\)\{let \w+=this\.#\2\(\),)/g;
const EDITS_EXPECTED = 2;

const MODULE = /[\\/]node_modules[\\/]@prisma[\\/]client[\\/]runtime[\\/]client\.m?js$/;

/** The runtime's source with both `edges` objects made sparse; throws when they are not found as expected. */
export function editPrismaRuntime(source: string): string {
  const found = source.match(EDGES_OBJECT)?.length ?? 0;
  if (found !== EDITS_EXPECTED) {
    throw new Error(
      `@prisma/client's runtime has ${found} places matching the parameter graph's edges objects where prisma-sparse-edges.ts expects ${EDITS_EXPECTED}: update its edit for this Prisma version.`,
    );
  }
  const edited = source.replace(EDGES_OBJECT, `let $1=this.#$2(),$3=${SPARSE_EDGES}();$4`);
  return prependDeclaration(edited, DECLARATION);
}

export function prismaSparseEdges(): esbuild.Plugin {
  return {
    name: "prisma-sparse-edges",
    setup(build) {
      build.onLoad({ filter: MODULE }, async (args) => ({
        loader: "js",
        contents: editPrismaRuntime(await readFile(args.path, "utf8")),
      }));
    },
  };
}
