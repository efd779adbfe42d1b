import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Every thread and process of this test records its spans into this file (see otelSetup.mjs).
const dir = mkdtempSync(join(tmpdir(), 'multitask-spans-'));
const spansFile = join(dir, 'spans.jsonl');
process.env.MULTITASK_TEST_SPANS = spansFile;
const setup = new URL('./fixtures/otelSetup.mjs', import.meta.url).href;
await import(setup);
const { trace } = await import('@opentelemetry/api');
const { createSystem } = await import('../src/index.js');
const { Hop } = await import('./fixtures/hop.js');

interface SpanLine {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parent: string | undefined;
  readonly pid: number;
  readonly thread: number;
}

function spans(): SpanLine[] {
  return readFileSync(spansFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as SpanLine);
}

describe('traces', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('carry one trace from the main thread through a thread actor and a process actor to a pool task', async () => {
    await using system = createSystem({ telemetry: { traces: true }, execArgv: [...process.execArgv, '--import', setup] });
    const hop = await system.spawn(Hop, { placement: 'thread' });
    const tracer = trace.getTracer('test');

    const result = await tracer.startActiveSpan('main', async (span) => {
      try {
        return await hop.ask('relay', ['process']);
      } finally {
        span.end();
      }
    });

    expect(result).toBe(49);
    const all = spans();
    const main = all.find((s) => s.name === 'main');
    expect(main).toBeDefined();
    const inTrace = all.filter((s) => s.traceId === main?.traceId);
    const child = (parent: SpanLine | undefined, name: string): SpanLine | undefined => inTrace.find((s) => s.parent === parent?.spanId && s.name === name);
    const threadHop = child(main, 'Hop relay');
    const processHop = child(threadHop, 'Hop relay');
    const task = child(processHop, 'PoolWorker run');
    expect(threadHop).toMatchObject({ pid: process.pid });
    expect(threadHop?.thread).not.toBe(0);
    expect(processHop?.pid).not.toBe(process.pid);
    expect(task).toMatchObject({ pid: processHop?.pid });
    expect(task?.thread).not.toBe(0);
  });

  it('starts a trace at a handler that runs outside any span, which the messages it sends continue', async () => {
    await using system = createSystem({ telemetry: { traces: true } });
    const hop = await system.spawn(Hop, {});
    const known = new Set(spans().map((s) => s.spanId));

    await hop.ask('relay', ['inline']);

    const fresh = spans().filter((s) => !known.has(s.spanId));
    const first = fresh.find((s) => s.name === 'Hop relay' && s.parent === undefined);
    expect(first).toBeDefined();
    expect(fresh.find((s) => s.name === 'Hop relay' && s.parent === first?.spanId)).toMatchObject({ traceId: first?.traceId });
  });
});
