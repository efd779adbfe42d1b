import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { child, createChannel, createPool, createSystem } from '../src/index.js';
import { Counter } from './fixtures/counter.js';
import { Faulty } from './fixtures/faulty.js';
import { tasks } from './fixtures/tasks.js';
import { nextEvent } from './helpers.js';

// The real SDK, read on demand: the reader exports only when the test flushes it.
const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
const provider = new MeterProvider({ readers: [reader] });
metrics.setGlobalMeterProvider(provider);

/** The data points of metric `name` as exported now. */
async function points(name: string): Promise<Array<DataPoint<number | Histogram>>> {
  exporter.reset();
  await reader.forceFlush();
  const all = exporter.getMetrics().flatMap((r) => r.scopeMetrics.filter((s) => s.scope.name === '@multitask/core').flatMap((s) => s.metrics));
  return (all.find((m) => m.descriptor.name === name)?.dataPoints ?? []) as Array<DataPoint<number | Histogram>>;
}

/** The sum of a counter's points whose attributes include `attributes`. */
async function total(name: string, attributes: Record<string, unknown> = {}): Promise<number> {
  const matching = (await points(name)).filter((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
  return matching.reduce((n, p) => n + (typeof p.value === 'number' ? p.value : p.value.count), 0);
}

describe('metrics through OpenTelemetry', () => {
  afterAll(() => provider.shutdown());

  it('counts messages sent and handled per definition, with handler durations', async () => {
    await using system = createSystem({ telemetry: { metrics: true } });
    const counter = await system.spawn(Counter, { args: 0 });
    for (let i = 0; i < 10; i++) counter.tell('add', 1);
    expect(await counter.ask('get')).toBe(10);

    expect(await total('multitask.message.sent', { 'messaging.system': 'multitask', 'messaging.operation.name': 'tell', 'multitask.message.type': 'add' })).toBe(10);
    expect(await total('multitask.message.handled', { 'messaging.destination.name': 'Counter', 'messaging.operation.name': 'add' })).toBe(10);
    const durations = await points('multitask.handler.duration');
    const get = durations.find((p) => p.attributes['messaging.operation.name'] === 'get');
    expect((get?.value as Histogram).count).toBe(1);
  });

  it('reports the mailbox depths of each definition as they are now', async () => {
    await using system = createSystem({ telemetry: { metrics: true }, shutdownTimeout: 200 });
    const stuck = await system.spawn(Faulty, {});
    const idle = await system.spawn(Faulty, {});
    void stuck.ask('hang').catch(() => undefined); // busy for good: what follows waits
    for (let i = 0; i < 5; i++) stuck.tell('add', 1);
    idle.tell('add', 1);
    await idle.ask('get');

    const of = async (name: string): Promise<number | undefined> => (await points(name)).find((p) => p.attributes['messaging.destination.name'] === 'Faulty')?.value as number | undefined;
    expect(await of('multitask.mailbox.depth')).toBe(5);
    expect(await of('multitask.mailbox.messages')).toBe(5);
  });

  it('counts failed handlers with their error type, asks that timed out, and dead letters by reason', async () => {
    const deadBefore = await total('multitask.dead_letters', { 'error.type': 'ACTOR_STOPPED', 'multitask.message.type': 'add' }); // the counters are the process's
    await using system = createSystem({ telemetry: { metrics: true }, shutdownTimeout: 200 });
    const faulty = await system.spawn(Faulty, {});
    await expect(faulty.ask('boom', 'no')).rejects.toThrow('no');
    await expect(faulty.ask('hang', undefined, { timeout: 20 })).rejects.toMatchObject({ code: 'ASK_TIMEOUT' });
    const stopped = await system.spawn(Counter, { args: 0 });
    await system.stop(stopped);
    stopped.tell('add', 1);

    expect(await total('multitask.message.handled', { 'messaging.operation.name': 'boom', 'error.type': 'Error' })).toBe(1);
    expect(await total('multitask.ask.timeouts', { 'multitask.message.type': 'hang' })).toBe(1);
    expect(await total('multitask.dead_letters', { 'error.type': 'ACTOR_STOPPED', 'multitask.message.type': 'add' })).toBe(deadBefore + 1);
  });

  it('counts spawns, crashes by reason and restarts per definition', async () => {
    await using system = createSystem({ telemetry: { metrics: true } });
    const before = await total('multitask.actor.restarts', { 'multitask.actor.definition': 'Faulty' });
    const sup = await system.supervise({ children: [child('w', Faulty, {})] });
    const restarted = nextEvent(system, 'actor:restarted');
    sup.ref('w').tell('boom', 'crash');
    await restarted;

    expect(await total('multitask.actor.restarts', { 'multitask.actor.definition': 'Faulty' })).toBe(before + 1);
    expect(await total('multitask.actor.crashes', { 'multitask.actor.definition': 'Faulty', 'multitask.down.reason': 'error', 'error.type': 'Error' })).toBeGreaterThanOrEqual(1);
    expect(await total('multitask.actor.spawns', { 'multitask.actor.definition': 'Faulty' })).toBeGreaterThanOrEqual(1);
  });

  it('records pool task wait and run times per task, and channel throughput', async () => {
    await using system = createSystem({ telemetry: { metrics: true }, shutdownTimeout: 3_000 });
    const pool = createPool({ tasks, size: 1, system });
    await Promise.all([pool.apply('square', 2), pool.apply('square', 3)]);
    const items = createChannel<number>({ capacity: 4 });
    await system.spawn(Faulty, { placement: 'thread', args: { out: items } }); // the channel leaves this thread: it is counted
    await items.send(1);
    await items.send(2);

    const waits = (await points('multitask.pool.task.wait_time')).find((p) => p.attributes['multitask.task'] === 'square');
    const runs = (await points('multitask.pool.task.run_time')).find((p) => p.attributes['multitask.task'] === 'square');
    expect((waits?.value as Histogram).count).toBe(2);
    expect((runs?.value as Histogram).count).toBe(2);
    expect(await total('multitask.channel.items')).toBe(2);
    await pool.terminate();
  });
});
