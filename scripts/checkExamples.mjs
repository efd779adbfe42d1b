// Fails when an export of @multitask/core (or of one of its subpath entry points) has no
// @example in the API reference: every export shows one (most come from
// packages/examples/src/guides/apiExamples.ts, which the tests run). Reads the JSON typedoc
// writes beside the site: one module per entry point when there are several.
import { readFileSync } from 'node:fs';

const project = JSON.parse(readFileSync(process.argv[2] ?? 'docs/api/api.json', 'utf8'));
const hasExample = (comment) => (comment?.blockTags ?? []).some((tag) => tag.tag === '@example');
const MODULE = 2; // typedoc's ReflectionKind.Module
const children = project.children ?? [];
const exports = children.every((c) => c.kind === MODULE) ? children.flatMap((m) => m.children ?? []) : children;
const missing = exports.filter((e) => !hasExample(e.comment) && !(e.signatures ?? []).some((s) => hasExample(s.comment))).map((e) => e.name);
if (missing.length > 0) {
  console.error(`exports without an @example: ${missing.join(', ')}`);
  process.exit(1);
}
console.log(`every one of the ${exports.length} exports has an @example`);
