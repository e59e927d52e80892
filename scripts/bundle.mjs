// Bundles the CLI (compiled by tsc into dist/src) into dist/bundle with esbuild: one file for
// what every command loads, and chunks for what only some load (the inspector, the graph tools,
// the fleet code), still loaded by dynamic import only when used. Node then reads a handful of
// files instead of hundreds: start-up is module loading, more than anything else.
// etcd3 stays outside: its gRPC client reads .proto files next to its own code at run time.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bundle`;
await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: 'dist/src/cli/main.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // typescript: cosmiconfig loads it only for a .ts config file, and it is 9 MB.
  external: ['etcd3', 'typescript'],
  // Bundled CommonJS packages call require() for Node's own modules; an ES module has none.
  banner: {
    js: "import { createRequire as __xsCreateRequire } from 'node:module'; globalThis.require ??= __xsCreateRequire(import.meta.url);",
  },
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
});
