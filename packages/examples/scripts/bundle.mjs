// Bundles the `multitask-copy` command after tsc (npm run build):
// - dist/copy/multitask-copy.cjs: the tool and the library in one CommonJS file (from
//   src/copy/command.ts). One file loads faster than the 60-odd modules it is made of, and
//   CommonJS can be compiled through V8's code cache on Node 20, which ES modules cannot.
//   Copier threads and processes import their actors from it by URL.
// - dist/copy/codeCache.cjs: the loader bin/multitask-copy.cjs runs that bundle with.
//
// The bundle is made lean to read: esbuild keeps the library's doc comments (a sixth of the
// bytes), so they are taken out, and it must be ASCII, which V8 holds and reads one byte per
// character (a single character outside ASCII makes the whole source two bytes per
// character). With both, a start loads the command ~1.5 ms sooner on two cores.
import { writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import ts from 'typescript';

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' };

const bundled = await build({
  ...common,
  write: false,
  entryPoints: ['dist/copy/command.js'],
  outfile: 'dist/copy/multitask-copy.cjs',
  // The cluster's NATS client and codec load only for a cluster, and OpenTelemetry's API
  // only for telemetry: the copy tool never asks for them, so they stay out of the bundle
  // (the three would double the bundle, to 1.2 MB before its doc comments come out).
  external: ['@nats-io/*', '@msgpack/*', '@opentelemetry/*'],
  sourcemap: true,
  // CommonJS has no import.meta: actor definitions name the bundle's URL, and the library
  // finds its own host modules in the installed package (see scripts/importMeta.js).
  inject: ['scripts/importMeta.js'],
  define: { 'import.meta.url': 'importMetaUrl', 'import.meta.resolve': 'importMetaResolve' },
});
for (const file of bundled.outputFiles) writeFileSync(file.path, file.path.endsWith('.cjs') ? asciiOnly(withoutDocComments(file.text), file.path) : file.contents);
await build({ ...common, entryPoints: ['dist/copy/codeCache.js'], outfile: 'dist/copy/codeCache.cjs' });

/**
 * `code` without its doc comments (`/** ... *\/`), each turned into the line breaks it
 * held, so that every line of code stays where the source map says. Only comments that are
 * trivia before a node are taken (never text inside a string or template), and a comment
 * stays if code follows it on its last line, or if it means something to a tool
 * (`@__PURE__`, `@license`, ...).
 */
function withoutDocComments(code) {
  const starts = new Map();
  const visit = (node) => {
    for (const range of ts.getLeadingCommentRanges(code, node.pos) ?? []) starts.set(range.pos, range.end);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('bundle.cjs', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS));
  let out = '';
  let at = 0;
  for (const [pos, end] of [...starts].sort((a, b) => a[0] - b[0])) {
    const text = code.slice(pos, end);
    if (!text.startsWith('/**') || /@__|@license|@preserve/.test(text) || !/^[ \t]*(\r?\n|$)/.test(restOfLine(code, end))) continue;
    out += code.slice(at, pos).replace(/[ \t]+$/, '') + text.replace(/[^\n]/g, '');
    at = end;
  }
  return out + code.slice(at);
}

/** What follows `at` on its line, line break included. */
function restOfLine(code, at) {
  const end = code.indexOf('\n', at);
  return code.slice(at, end < 0 ? undefined : end + 1);
}

/** `code`, after checking that it is all ASCII; a build that would bring in another character fails, naming where. */
function asciiOnly(code, file) {
  const at = code.search(/[^\x00-\x7f]/);
  if (at >= 0) {
    const line = code.slice(0, at).split('\n').length;
    throw new Error(`${file}:${line}: ${JSON.stringify(code[at])} is not ASCII; write it as an escape (V8 would hold the whole bundle two bytes per character)`);
  }
  return code;
}
