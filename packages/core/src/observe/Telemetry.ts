import type { Attributes, Context, Counter, Histogram, Meter, ObservableResult, Tracer } from '@opentelemetry/api';
import { MultitaskError } from '../errors.js';
import type { ChannelTable } from '../channel/ChannelTable.js';
import { errorType } from './errorType.js';

/**
 * What telemetry records: OpenTelemetry metrics, traces, or both (through
 * `@opentelemetry/api`, an optional peer dependency loaded only when one is on).
 *
 * @example
 * ```ts
 * const system = createSystem({ telemetry: { metrics: true, traces: true } });
 * ```
 */
export interface TelemetryOptions {
  /**
   * Record counters and histograms (see the observability guide for the list) with the
   * global `MeterProvider`.
   * @defaultValue false
   */
  readonly metrics?: boolean;
  /**
   * Make a span of each handler run, and carry the active trace context (W3C
   * `traceparent`) inside tells, asks, sends and pool tasks, across threads and processes.
   * @defaultValue false
   */
  readonly traces?: boolean;
}

type Api = typeof import('@opentelemetry/api');

/** The scope the instruments and spans are recorded under. */
const SCOPE = '@multitask/core';
/** `messaging.system` of every metric and span. */
const SYSTEM = 'multitask';

/** The instruments, made once per thread. @internal */
interface Instruments {
  readonly duration: Histogram;
  readonly askTimeouts: Counter;
  readonly deadLetters: Counter;
  readonly restarts: Counter;
  readonly crashes: Counter;
  readonly spawns: Counter;
  readonly poolWait: Histogram;
  readonly poolRun: Histogram;
}

/**
 * One thread's telemetry: the OpenTelemetry API (loaded), the instruments when metrics are
 * on, the tracer when traces are. Everything the observers and the system record goes
 * through here, so that nothing else imports `@opentelemetry/api`.
 * @internal
 */
export class Telemetry {
  readonly api: Api;
  readonly metrics: Instruments | undefined;
  readonly tracer: Tracer | undefined;
  /** The meter, when metrics are on (the observers add their observable instruments to it). */
  readonly meter: Meter | undefined;

  constructor(api: Api, options: TelemetryOptions, version: string) {
    this.api = api;
    const meter = options.metrics === true ? api.metrics.getMeter(SCOPE, version) : undefined;
    // No MeterProvider registered on this thread (yet): the API's no-op meter, for good (the
    // metrics API hands out no proxies). Nothing is measured here, not even for nothing.
    this.meter = meter === api.createNoopMeter() ? undefined : meter;
    this.metrics = this.meter === undefined ? undefined : instruments(this.meter);
    this.tracer = options.traces === true ? api.trace.getTracer(SCOPE, version) : undefined;
  }

  /** Attributes every metric carries, with `more`. */
  attributes(more: Attributes): Attributes {
    return { 'messaging.system': SYSTEM, ...more };
  }

  /** The `traceparent` of the active span, if there is one and traces are on. */
  traceparent(): string | undefined {
    if (this.tracer === undefined) return undefined;
    const span = this.api.trace.getSpan(this.api.context.active());
    if (span === undefined) return undefined;
    const { traceId, spanId, traceFlags } = span.spanContext();
    if (!this.api.isSpanContextValid(span.spanContext())) return undefined;
    return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;
  }

  /** The context a handler runs in: the remote parent its message carried, else a new trace. */
  parentOf(traceparent: string | undefined): Context {
    const root = this.api.ROOT_CONTEXT;
    const parts = traceparent === undefined ? undefined : /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent);
    if (parts === undefined || parts === null) return root;
    return this.api.trace.setSpanContext(root, { traceId: parts[1] as string, spanId: parts[2] as string, traceFlags: Number.parseInt(parts[3] as string, 16), isRemote: true });
  }

  /** The active context, to run later work in (a pool task queued now, dispatched later). */
  capture(): Context | undefined {
    return this.tracer === undefined ? undefined : this.api.context.active();
  }

  /** Runs `fn` in a context {@link capture} returned. */
  within<T>(context: Context | undefined, fn: () => T): T {
    return context === undefined ? fn() : this.api.context.with(context, fn);
  }

  /**
   * Records a system event (on the root): spawns, crashes by reason, restarts, dead letters
   * by error; `definition` is the actor's definition name when known.
   */
  event(event: string, args: readonly unknown[], definition: string | undefined): void {
    const metrics = this.metrics;
    if (metrics === undefined) return;
    const actor = definition === undefined ? {} : { 'multitask.actor.definition': definition };
    switch (event) {
      case 'actor:started':
        return metrics.spawns.add(1, this.attributes(actor));
      case 'actor:crashed': {
        const reason = args[1] as { kind: string; error?: unknown };
        return metrics.crashes.add(1, this.attributes({ ...actor, 'multitask.down.reason': reason.kind, 'error.type': errorType(reason.error) }));
      }
      case 'actor:restarted':
        return metrics.restarts.add(1, this.attributes(actor));
      case 'dead-letter':
        return metrics.deadLetters.add(1, this.attributes({ 'multitask.message.type': (args[0] as { type: string }).type, 'error.type': errorType((args[0] as { error: unknown }).error) }));
      default:
        return;
    }
  }

  /** A pool task waited `ms` for a worker. */
  poolWaited(pool: string, task: string, ms: number): void {
    this.metrics?.poolWait.record(ms / 1000, this.attributes({ 'multitask.pool': pool, 'multitask.task': task }));
  }

  /** A pool task ran `ms` on its worker. */
  poolRan(pool: string, task: string, ms: number, ok: boolean): void {
    this.metrics?.poolRun.record(ms / 1000, this.attributes({ 'multitask.pool': pool, 'multitask.task': task, ...(ok ? {} : { 'error.type': 'task_failed' }) }));
  }

  /** Counts the items put in each channel this thread owns, read when the metrics are collected. */
  observeChannels(table: ChannelTable): () => void {
    if (this.meter === undefined) return () => undefined;
    const items = this.meter.createObservableCounter('multitask.channel.items', { description: 'Items sent into a channel owned by this thread or process', unit: '{item}' });
    const callback = (result: ObservableResult): void => {
      for (const channel of table.describe()) result.observe(channel.sent, this.attributes({ 'messaging.destination.name': channel.id }));
    };
    items.addCallback(callback);
    return () => items.removeCallback(callback);
  }
}

function instruments(meter: Meter): Instruments {
  const seconds = { unit: 's', advice: { explicitBucketBoundaries: [0.00001, 0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5] } };
  return {
    duration: meter.createHistogram('multitask.handler.duration', { description: 'How long handlers ran, to their promise settling', ...seconds }),
    askTimeouts: meter.createCounter('multitask.ask.timeouts', { description: 'Asks that timed out', unit: '{ask}' }),
    deadLetters: meter.createCounter('multitask.dead_letters', { description: 'Messages that could not be delivered', unit: '{message}' }),
    restarts: meter.createCounter('multitask.actor.restarts', { description: 'Actors restarted by their supervisor', unit: '{restart}' }),
    crashes: meter.createCounter('multitask.actor.crashes', { description: 'Actors that went down abnormally', unit: '{crash}' }),
    spawns: meter.createCounter('multitask.actor.spawns', { description: 'Actors started', unit: '{actor}' }),
    poolWait: meter.createHistogram('multitask.pool.task.wait_time', { description: 'How long pool tasks waited for a worker', ...seconds }),
    poolRun: meter.createHistogram('multitask.pool.task.run_time', { description: 'How long pool tasks ran on their worker', ...seconds }),
  };
}

/**
 * Loads `@opentelemetry/api` (an optional peer dependency) and makes this thread's
 * telemetry; `undefined` when nothing is on.
 * @throws (rejects with) {@link MultitaskError} `INVALID_ARGUMENT` when it is not installed
 * @internal
 */
export async function loadTelemetry(options: TelemetryOptions | undefined): Promise<Telemetry | undefined> {
  if (options === undefined || (options.metrics !== true && options.traces !== true)) return undefined;
  let api: Api;
  try {
    api = await import('@opentelemetry/api');
  } catch (error) {
    throw new MultitaskError('INVALID_ARGUMENT', "options.telemetry needs the package '@opentelemetry/api': npm install @opentelemetry/api", { cause: error });
  }
  return new Telemetry(api, options, '0.1.0');
}

/**
 * Checks `options.telemetry` at the call site.
 * @throws {@link MultitaskError} `INVALID_ARGUMENT`
 * @internal
 */
export function checkTelemetry(options: unknown): TelemetryOptions | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) throw new MultitaskError('INVALID_ARGUMENT', 'options.telemetry must be an object: { metrics?: boolean, traces?: boolean }');
  for (const key of ['metrics', 'traces'] as const) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined && typeof value !== 'boolean') throw new MultitaskError('INVALID_ARGUMENT', `options.telemetry.${key} must be true or false`);
  }
  return { metrics: (options as TelemetryOptions).metrics === true, traces: (options as TelemetryOptions).traces === true };
}
