import { MultitaskError } from '../errors.js';
import { serializeError } from '../wire/errorWire.js';
import { systemOf } from '../wire/ids.js';
import type { BadValue } from '../wire/BadValue.js';
import type { Envelope } from '../wire/protocol.js';
import type { Runtime } from '../node/Runtime.js';
import type { PeerInfo } from './PeerSystems.js';

/**
 * An envelope from peer `from` with a field that could not be read: whoever waits on it
 * (here or on the peer) is told with `BAD_FRAME`, a tell becomes a dead letter; the rest
 * is dropped.
 * @internal
 */
export function settleUnreadable(runtime: Runtime, from: PeerInfo, e: Envelope, bad: BadValue): void {
  const error = new MultitaskError('BAD_FRAME', `a ${String(e.kind)} from node '${from.node}' could not be read: ${bad.reason}`);
  const fields = e as unknown as Record<string, unknown>;
  const cid = fields.cid;
  const address = (key: string): string | undefined => (typeof fields[key] === 'string' ? (fields[key] as string) : undefined);
  const dst = address('dst');
  const sender = address('from');
  if (dst === undefined || systemOf(dst) !== systemOf(runtime.node)) return;
  if ((e.kind === 'reply' || e.kind === 'fail') && typeof cid === 'number') {
    runtime.receiveEnvelope({ kind: 'fail', dst: dst as never, cid: cid as never, error: serializeError(error) });
  } else if ((e.kind === 'ask' || e.kind === 'send' || e.kind === 'channel' || e.kind === 'spawn') && typeof cid === 'number' && sender !== undefined && systemOf(sender) === from.system) {
    runtime.fail(sender as never, cid as never, error);
  } else if (e.kind === 'tell' && address('to') !== undefined && typeof fields.type === 'string') {
    runtime.deadLetter(address('to') as never, { type: fields.type, payload: undefined }, error);
  }
}
