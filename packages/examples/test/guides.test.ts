// Every code sample in docs/ comes from these files (typedoc's {@includeCode}); here they run.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fromPython, fromPythonWithoutUsing } from '../src/guides/fromPython.js';
import { gettingStarted, gettingStartedWithoutUsing } from '../src/guides/gettingStarted.js';
import { inlineAsThread, inspectWithoutUsing, troubleshooting } from '../src/guides/troubleshooting.js';
import { actorsTour, channelsTour, poolTour, supervisionTour } from '../src/guides/tour.js';
import { apiExamples } from '../src/guides/apiExamples.js';

/** The constructor of async functions: it parses its body as JavaScript, or throws a SyntaxError. */
const AsyncFunction = (async () => undefined).constructor as new (body: string) => unknown;

describe('the guides samples', () => {
  it('getting started: an actor on a thread, then a pool', async () => {
    expect(await gettingStarted()).toEqual({ line: 'Hi, Ada!', squares: [1, 4, 9], sum: 5 });
  });

  it('coming from Python: each API of the seed tutorial, the multitask way', async () => {
    expect(await fromPython()).toEqual({
      childPid: true,
      full: true,
      size: 2,
      refused: true,
      first: 1,
      second: 2,
      empty: true,
      missing: true,
      received: ['Hello, queue!'],
      later: 16,
      mapped: [1, 4, 9],
    });
  });

  it('troubleshooting: a killed child reads as a crash report', async () => {
    // The sample opens an inspector in its child process, which would print its URL on the
    // stderr the tests share: here it publishes the URL over HTTP only.
    process.execArgv.push('--inspect-publish-uid=http');
    const seen = await troubleshooting().finally(() => process.execArgv.pop());
    expect(seen.some((line) => /went down: signal/.test(line))).toBe(true);
    expect(seen.some((line) => line.startsWith('WORKER_CRASHED: ') && line.includes('SIGKILL'))).toBe(true);
  });

  it('troubleshooting: with copyInline, a reply a thread cannot copy fails inline too', async () => {
    expect(await inlineAsThread()).toMatch(/^the reply of actor Session \(.+\) to 'info' cannot be copied to another thread or process: a function \(elapsed\) at elapsed$/);
  });

  it('without await using (plain JavaScript on Node 20): the same samples shut down in finally', async () => {
    expect(await gettingStartedWithoutUsing()).toEqual({ line: 'Hi, Ada!', squares: [1, 4, 9], sum: 5 });
    expect(await fromPythonWithoutUsing()).toEqual({ childPid: true, received: ['Hello, queue!'] });
    expect(await inspectWithoutUsing()).toBe(true);
  });

  it('show the try/finally form, in plain JavaScript, beside every sample that uses await using', () => {
    const docs = new URL('../../../docs/', import.meta.url);
    for (const name of readdirSync(docs).filter((file) => file.endsWith('.md'))) {
      const guide = readFileSync(new URL(name, docs), 'utf8');
      for (const [, file = '', region = ''] of guide.matchAll(/\{@includeCode \.\.\/packages\/examples\/src\/guides\/(\w+\.ts)#([\w-]+)\}/g)) {
        const source = readFileSync(new URL(`../src/guides/${file}`, import.meta.url), 'utf8');
        const body = new RegExp(`#region ${region}\\n([^]*?)#endregion ${region}`).exec(source)?.[1] ?? '';
        if (/^\s*await using \w/m.test(body)) expect({ name, region, beside: guide.includes(`${file}#${region}-finally}`) }).toEqual({ name, region, beside: true });
        // The try/finally forms are plain JavaScript: Node 20 parses them (it never runs them here).
        if (region.endsWith('-finally')) expect(() => new AsyncFunction(body), `${file}#${region}`).not.toThrow();
      }
    }
  });

  it('the Python side has every region the guide shows, and runs under python3 when it is installed', () => {
    const script = fileURLToPath(new URL('../python/tutorial.py', import.meta.url));
    const text = readFileSync(script, 'utf8');
    for (const region of ['process', 'queue', 'manager', 'pool']) expect(text).toMatch(new RegExp(`#region ${region}\\n[^]*#endregion ${region}`));
    if (spawnSync('python3', ['--version']).status !== 0) return; // the regions above are all there is to check without Python
    const run = spawnSync('python3', [script], { encoding: 'utf8' });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toContain("(True, 2, 1, 2, True, 'Hello, queue!', 16, [1, 4, 9])");
  });
});

describe('the documentation site', () => {
  it('lists every guide in docs/ as a page, in reading order', () => {
    const config = JSON.parse(readFileSync(new URL('../../../typedoc.json', import.meta.url), 'utf8')) as { projectDocuments: string[] };
    const guides = readdirSync(new URL('../../../docs/', import.meta.url)).filter((name) => name.endsWith('.md'));
    expect([...config.projectDocuments].map((path) => path.replace('docs/', '')).sort()).toEqual(guides.sort());
    expect(config.projectDocuments[0]).toBe('docs/getting-started.md');
  });
});

describe('the tour of the guides', () => {
  it('actors: spawn, events', async () => {
    const { count, events } = await actorsTour();
    expect(count).toBe(5);
    expect(events).toEqual([expect.stringMatching(/^started /), 'stopped stopped']);
  });

  it('channels: a channel, and one shared with a process', async () => {
    expect(await channelsTour()).toEqual({ item: 11, downloaded: [1, 2, 3] });
  });

  it('supervision: a monitor sees the crash, onRestart keeps the entries', async () => {
    const { kept, reasons } = await supervisionTour();
    expect(kept).toBe('v');
    expect(reasons).toEqual([expect.objectContaining({ kind: 'error' })]);
  });

  it('pools: apply, map, starmap, imap over an endless input', async () => {
    expect(await poolTour()).toEqual({ one: 49, squares: [1, 4, 9], sums: [3, 7], firstBig: 121 });
  });
});

describe('the API reference examples', () => {
  it('run, and do what their comments say', async () => {
    const out = await apiExamples();
    expect(out).toMatchObject({
      clock: true,
      spec: 'Inline',
      handlers: ['add', 'get'],
      definition: true,
      overflow: 'drop-oldest',
      id: true,
      total: 5,
      typed: true,
      deadLetters: ['add'],
      stops: 1,
      coded: true,
      channel: { full: true, refused: true, first: 'a', empty: true, closed: true },
      supervised: { specs: 2, counter: 0, leaf: 1, children: ['running', 'running'] },
      pool: { five: 5, squares: [1, 4, 9], sum: 14, functions: ['cube'], workers: 2, busiest: true, p99: true },
    });
  });
});
