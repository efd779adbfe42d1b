// The package as a new user meets it: packed, installed into a fresh project, compiled with
// that project's tsconfig and run with plain node (no tsx, no loader).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installConsumer, node, succeeded, tsc, type Consumer, type Ran } from './consumer.js';

let consumer: Consumer | undefined;
const dir = (): string => {
  if (consumer === undefined) throw new Error('the consumer project was not installed');
  return consumer.dir;
};

beforeAll(async () => {
  consumer = await installConsumer();
}, 120_000);
afterAll(() => consumer?.remove());

describe('a CommonJS project', () => {
  // Both compilers start at once: each takes seconds, and the cases below wait for theirs.
  let compiled: Promise<Ran>;
  let checkedAsCommonjs: Promise<Ran>;
  beforeAll(() => {
    compiled = tsc(join(dir(), 'cjs'));
    checkedAsCommonjs = tsc(join(dir(), 'cjs'), 'tsconfig.commonjs.json');
  });

  it('requires the package and gets the very module an import gets, so there is one copy of the library', async () => {
    const script = "const required = require('@multitask/core'); import('@multitask/core').then((imported) => console.log(required === imported, typeof required.createSystem));";
    expect(succeeded(await node(['-e', script], join(dir(), 'cjs')))).toBe('true function\n');
  });

  it('type-checks against the package types with module nodenext and no "type": "module"', async () => {
    const ran = await compiled;
    expect({ code: ran.code, errors: ran.stdout }).toEqual({ code: 0, errors: '' });
  });

  it('type-checks with the older module commonjs too, which finds the types by the main and types fields', async () => {
    const ran = await checkedAsCommonjs;
    expect({ code: ran.code, errors: ran.stdout }).toEqual({ code: 0, errors: '' });
  });

  it('runs its CommonJS actor module inline, on a thread and in a process, with plain node', async () => {
    succeeded(await compiled);
    const out = succeeded(await node(['dist/main.js'], join(dir(), 'cjs')));
    expect(out.trim().split('\n')).toEqual(['inline: 3 in this process', 'thread: 3 in this process, on a thread', 'process: 3 in another process']);
  });

  it('runs a plain JavaScript file that defines its actor and starts the program only as the main module', async () => {
    const out = succeeded(await node(['plain.js'], join(dir(), 'cjs')));
    expect(out).toBe('hello from a thread\n');
  });
});

describe('an ES module TypeScript project on Node 20', () => {
  it('compiles await using with target es2022 into code Node 20 runs, and the program ends at the end of the scope', async () => {
    const project = join(dir(), 'esm');
    const compiled = await tsc(project);
    expect({ code: compiled.code, errors: compiled.stdout }).toEqual({ code: 0, errors: '' });
    const out = succeeded(await node(['dist/main.js'], project));
    expect(out.trim().split('\n')).toEqual(['thread: 42 in a thread', 'process: 42 in a process', 'shut down']);
  });
});
