import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readmeExample, readmeExampleWithoutUsing } from '../src/readme.js';

describe("the README's example", () => {
  it('prints 5 from a counter on a thread', async () => {
    await expect(readmeExample()).resolves.toBe(5);
  });

  it('prints 5 the same way without await using, shutting down in finally', async () => {
    await expect(readmeExampleWithoutUsing()).resolves.toBe(5);
  });

  it('shows the try/finally form of main, which is the code of readme.ts line for line', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const block = /```js\n([^]*?)```/.exec(readme)?.[1] ?? '';
    const source = readFileSync(new URL('../src/readme.ts', import.meta.url), 'utf8');
    const code = block
      .split('\n')
      .map((line) => line.replace(/\/\/.*$/, '').trim())
      .filter((line) => line !== '' && !line.startsWith('console.log('));
    expect(code).toEqual(expect.arrayContaining(['try {', '} finally {', 'await system.shutdown();']));
    for (const line of code) expect(source).toContain(line);
    expect(block).not.toContain('await using');
    const AsyncFunction = (async () => undefined).constructor as new (body: string) => unknown;
    expect(() => new AsyncFunction(block)).not.toThrow(); // plain JavaScript, as Node 20 parses it
  });

  it('is the code of counter.ts and readme.ts, line for line', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const block = /```ts\n([^]*?)```/.exec(readme)?.[1] ?? '';
    const sources = ['../src/counter.ts', '../src/readme.ts'].map((file) => readFileSync(new URL(file, import.meta.url), 'utf8')).join('\n');
    const code = block
      .split('\n')
      .map((line) => line.replace(/\/\/.*$/, '').trim())
      .filter((line) => line !== '' && !line.startsWith('import { Counter }') && !line.startsWith('console.log('));
    expect(code.length).toBeGreaterThan(10);
    for (const line of code) expect(sources).toContain(line.replace(/^return await /, ''));
    expect(block).toContain("console.log(await counter.ask('get'))"); // readme.ts returns what main.ts prints
    expect(sources).toContain("return await counter.ask('get')");
  });
});
