import type { Attributes, Span } from '@opentelemetry/api';
import type { ObservedCell } from '../actor/CellObserver.js';
import type { NodeObserver } from '../node/NodeObserver.js';
import { handlerEnd, handlerStart, type HandlerMessage } from './diagnostics.js';
import type { Telemetry } from './Telemetry.js';
import { errorType } from './errorType.js';

/** `SpanKind.CONSUMER`: a handler processes a message someone sent. */
const CONSUMER = 4;
/** `SpanStatusCode.ERROR`. */
const ERROR = 2;

/**
 * The observer a node's runtime holds while someone looks: it records handler runs and
 * sends as metrics and spans (when telemetry is on) and publishes handler runs on the
 * `multitask:handler:*` diagnostics channels (when asked to).
 * @internal
 */
export class Observation implements NodeObserver {
  readonly #telemetry: Telemetry | undefined;
  readonly #diagnostics: boolean;

  constructor(telemetry: Telemetry | undefined, diagnostics: boolean) {
    this.#telemetry = telemetry;
    this.#diagnostics = diagnostics;
  }

  sent(kind: 'tell' | 'ask' | 'send', type: string): string | undefined {
    const telemetry = this.#telemetry;
    if (telemetry === undefined) return undefined;
    telemetry.metrics?.sent.add(1, telemetry.attributes({ 'messaging.operation.name': kind, 'multitask.message.type': type }));
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
    const attributes = telemetry?.attributes({ 'messaging.destination.name': cell.definitionName, 'messaging.operation.name': type, 'messaging.operation.type': 'process' });
    telemetry?.metrics?.depth.record(cell.depth, attributes);
    const started = performance.now();
    const span = telemetry?.tracer?.startSpan(`${cell.definitionName} ${type}`, { kind: CONSUMER, attributes: { ...attributes, 'multitask.actor.id': cell.id } }, telemetry.parentOf(trace));
    const done = (error: unknown, failed: boolean): void => this.#ended(message, span, attributes, started, error, failed);
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

  #ended(message: HandlerMessage | undefined, span: Span | undefined, attributes: Attributes | undefined, started: number, error: unknown, failed: boolean): void {
    if (message !== undefined) {
      if (failed) message.error = error;
      if (handlerEnd.hasSubscribers) handlerEnd.publish(message);
    }
    const metrics = this.#telemetry?.metrics;
    if (metrics !== undefined) {
      const outcome = failed ? { ...attributes, 'error.type': errorType(error) } : attributes;
      metrics.handled.add(1, outcome);
      metrics.duration.record((performance.now() - started) / 1000, outcome);
    }
    if (span !== undefined) {
      if (failed) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: ERROR, message: error instanceof Error ? error.message : String(error) });
      }
      span.end();
    }
  }
}
