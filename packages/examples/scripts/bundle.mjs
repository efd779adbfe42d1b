// Bundles the `multitask-copy` command after tsc (npm run build):
// - dist/copy/multitask-copy.cjs: the tool and the library in one CommonJS file (from
//   src/copy/command.ts). One file loads faster than the 60-odd modules it is made of, and
//   CommonJS can be compiled through V8's code cache on Node 20, which ES modules cannot.
//   Copier threads and processes import their actors from it by URL.
// - dist/copy/codeCache.cjs: the loader bin/multitask-copy.cjs runs that bundle with.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' };

await build({
  ...common,
  entryPoints: ['dist/copy/command.js'],
  outfile: 'dist/copy/multitask-copy.cjs',
  // The cluster's NATS client and codec load only for a cluster, and OpenTelemetry's API
  // only for telemetry: the copy tool never asks for them, so they stay out of the bundle
  // (321 kB instead of 700 kB to load and compile; the API would add 50 kB more).
  external: ['@nats-io/*', '@msgpack/*', '@opentelemetry/*'],
  sourcemap: true,
  // CommonJS has no import.meta: actor definitions name the bundle's URL, and the library
  // finds its own host modules in the installed package (see scripts/importMeta.js).
  inject: ['scripts/importMeta.js'],
  define: { 'import.meta.url': 'importMetaUrl', 'import.meta.resolve': 'importMetaResolve' },
});
await build({ ...common, entryPoints: ['dist/copy/codeCache.js'], outfile: 'dist/copy/codeCache.cjs' });
