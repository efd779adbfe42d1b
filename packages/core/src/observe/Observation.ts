import type { Attributes, BatchObservableResult, ObservableResult, Span } from '@opentelemetry/api';
import type { ObservedCell } from '../actor/CellObserver.js';
import type { NodeObserver } from '../node/NodeObserver.js';
import type { Runtime } from '../node/Runtime.js';
import { handlerEnd, handlerStart, type HandlerMessage } from './diagnostics.js';
import type { Telemetry } from './Telemetry.js';
import { errorType } from './errorType.js';
import { monotonicNow } from '../clock.js';

/** `SpanKind.CONSUMER`: a handler processes a message someone sent. */
const CONSUMER = 4;
/** `SpanStatusCode.ERROR`. */
const ERROR = 2;

/**
 * The counts of one message type of one definition (or of one kind of send): plain numbers
 * the observable counters read when the metrics are collected, and the attributes made
 * once. An OpenTelemetry counter's `add` sorts and serialises its attributes on every call
 * (about a microsecond); a number here costs nothing.
 */
interface Tally {
  readonly attributes: Attributes;
  count: number;
  /** Failed runs by `error.type`. */
  failed: Map<string, number> | undefined;
}

/**
 * The observer a node's runtime holds while someone looks: it records handler runs and
 * sends as metrics and spans (when telemetry is on) and publishes handler runs on the
 * `multitask:handler:*` diagnostics channels (when asked to).
 * @internal
 */
export class Observation implements NodeObserver {
  readonly #telemetry: Telemetry | undefined;
  readonly #diagnostics: boolean;
  /** Handled messages, by definition then type. */
  readonly #handled = new Map<string, Map<string, Tally>>();
  /** Sent messages, by kind then type. */
  readonly #sent = new Map<string, Map<string, Tally>>();
  /** Removes the observable instruments' callbacks (the system shut down). */
  readonly #unobserve: Array<() => void> = [];

  constructor(telemetry: Telemetry | undefined, diagnostics: boolean, runtime: Runtime) {
    this.#telemetry = telemetry;
    this.#diagnostics = diagnostics;
    if (telemetry?.metrics !== undefined) this.#observe(telemetry, runtime);
  }

  sent(kind: 'tell' | 'ask' | 'send', type: string): string | undefined {
    const telemetry = this.#telemetry;
    if (telemetry === undefined) return undefined;
    if (telemetry.metrics !== undefined) (this.#sent.get(kind)?.get(type) ?? added(this.#sent, kind, type, telemetry.attributes({ 'messaging.operation.name': kind, 'multitask.message.type': type }))).count++;
    return telemetry.traceparent();
  }

  abandoned(type: string, aborted: boolean): void {
    const telemetry = this.#telemetry;
    if (!aborted && telemetry !== undefined) telemetry.metrics?.askTimeouts.add(1, telemetry.attributes({ 'multitask.message.type': type }));
  }

  handle(cell: ObservedCell, type: string, trace: string | undefined, handler: (ctx: never, payload: never) => unknown, ctx: unknown, payload: unknown): unknown {
    const message: HandlerMessage | undefined = this.#diagnostics ? { actor: cell.id, definition: cell.definitionName, type } : undefined;
    if (message !== undefined && handlerStart.hasSubscribers) handlerStart.publish(message);
    const telemetry = this.#telemetry;
    const definition = cell.definitionName;
    const counts = telemetry?.metrics === undefined ? undefined : (this.#handled.get(definition)?.get(type) ?? added(this.#handled, definition, type, telemetry.attributes({ 'messaging.destination.name': definition, 'messaging.operation.name': type, 'messaging.operation.type': 'process' })));
    const started = counts === undefined ? 0 : monotonicNow();
    const span = telemetry?.tracer?.startSpan(`${cell.definitionName} ${type}`, { kind: CONSUMER, attributes: { 'messaging.system': 'multitask', 'messaging.destination.name': cell.definitionName, 'messaging.operation.name': type, 'multitask.actor.id': cell.id } }, telemetry.parentOf(trace));
    if (message === undefined && counts === undefined && span === undefined) return handler(ctx as never, payload as never);
    const done = (error: unknown, failed: boolean): void => this.#ended(message, span, counts, started, error, failed);
    let result: unknown;
    try {
      result = span === undefined || telemetry === undefined ? handler(ctx as never, payload as never) : telemetry.api.context.with(telemetry.api.trace.setSpan(telemetry.api.context.active(), span), () => handler(ctx as never, payload as never));
    } catch (error) {
      done(error, true);
      throw error;
    }
    if (typeof result === 'object' && result !== null && typeof (result as { then?: unknown }).then === 'function') {
      (result as PromiseLike<unknown>).then(
        () => done(undefined, false),
        (error: unknown) => done(error, true),
      );
    } else done(undefined, false);
    return result;
  }

  #ended(message: HandlerMessage | undefined, span: Span | undefined, counts: Tally | undefined, started: number, error: unknown, failed: boolean): void {
    if (message !== undefined) {
      if (failed) message.error = error;
      if (handlerEnd.hasSubscribers) handlerEnd.publish(message);
    }
    if (counts !== undefined) {
      counts.count++;
      if (failed) {
        const failures = (counts.failed ??= new Map());
        const kind = errorType(error);
        failures.set(kind, (failures.get(kind) ?? 0) + 1);
      }
      this.#telemetry?.metrics?.duration.record((monotonicNow() - started) / 1000, counts.attributes);
    }
    if (span !== undefined) {
      if (failed) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: ERROR, message: error instanceof Error ? error.message : String(error) });
      }
      span.end();
    }
  }

  /** Stops reporting: the system shut down (a new one on this thread reports on its own). */
  close(): void {
    for (const unobserve of this.#unobserve.splice(0)) unobserve();
  }

  /** The instruments read at collection: messages sent and handled, the mailboxes' depths, the channels' items. */
  #observe(telemetry: Telemetry, runtime: Runtime): void {
    const meter = telemetry.meter as NonNullable<Telemetry['meter']>;
    const sent = meter.createObservableCounter('multitask.message.sent', { description: 'Messages sent by refs on this thread (tell, ask, send)', unit: '{message}' });
    const onSent = (result: ObservableResult): void => {
      for (const byType of this.#sent.values()) for (const t of byType.values()) result.observe(t.count, t.attributes);
    };
    sent.addCallback(onSent);
    this.#unobserve.push(() => sent.removeCallback(onSent));
    const handled = meter.createObservableCounter('multitask.message.handled', { description: 'Messages whose handler ran (error.type: it threw or rejected)', unit: '{message}' });
    const onHandled = (result: ObservableResult): void => {
      for (const byType of this.#handled.values()) {
        for (const t of byType.values()) {
          let failed = 0;
          for (const [kind, n] of t.failed ?? []) {
            failed += n;
            result.observe(n, { ...t.attributes, 'error.type': kind });
          }
          result.observe(t.count - failed, t.attributes);
        }
      }
    };
    handled.addCallback(onHandled);
    this.#unobserve.push(() => handled.removeCallback(onHandled));
    this.#observeDepths(telemetry, runtime);
    this.#unobserve.push(telemetry.observeChannels(runtime.channels));
  }

  /** The mailboxes' depths per definition, read at collection. */
  #observeDepths(telemetry: Telemetry, runtime: Runtime): void {
    const meter = telemetry.meter as NonNullable<Telemetry['meter']>;
    const depth = meter.createObservableGauge('multitask.mailbox.depth', { description: 'The deepest mailbox of each definition on this thread now', unit: '{message}' });
    const waiting = meter.createObservableGauge('multitask.mailbox.messages', { description: 'Messages waiting in the mailboxes of each definition on this thread now', unit: '{message}' });
    const onDepths = (result: BatchObservableResult): void => {
        const byDefinition = new Map<string, { max: number; sum: number }>();
        for (const cell of runtime.actors.all()) {
          const seen = byDefinition.get(cell.definitionName) ?? { max: 0, sum: 0 };
          seen.max = Math.max(seen.max, cell.depth);
          seen.sum += cell.depth;
          byDefinition.set(cell.definitionName, seen);
        }
        for (const [definition, seen] of byDefinition) {
          const attributes = telemetry.attributes({ 'messaging.destination.name': definition });
          result.observe(depth, seen.max, attributes);
          result.observe(waiting, seen.sum, attributes);
        }
    };
    meter.addBatchObservableCallback(onDepths, [depth, waiting]);
    this.#unobserve.push(() => meter.removeBatchObservableCallback(onDepths, [depth, waiting]));
  }
}

/** A new tally for `outer`/`inner` (the first message of its kind). */
function added(tallies: Map<string, Map<string, Tally>>, outer: string, inner: string, attributes: Attributes): Tally {
  let byInner = tallies.get(outer);
  if (byInner === undefined) tallies.set(outer, (byInner = new Map()));
  const t: Tally = { attributes, count: 0, failed: undefined };
  byInner.set(inner, t);
  return t;
}
