import { reviveError, serializeError } from '../wire/errorWire.js';
import type { CorrelationId } from '../wire/ids.js';
import { copyAcross, type CodecHost } from '../wire/messageCodec.js';
import type { ActorCell } from '../actor/ActorCell.js';
import type { Replier } from '../actor/Mailbox.js';
import type { PendingTable } from './PendingTable.js';

/**
 * Under `copyInline`, where the answer of an ask between two actors of one node goes: the
 * reply reaches the asker as a copy, as if it had crossed to a thread (one that cannot be
 * copied fails the ask with `NOT_SERIALIZABLE`, naming the actor and the message type), and
 * a handler's error as a thread rebuilds it.
 * @internal
 */
export function copyingReplier(pending: PendingTable, host: CodecHost, cid: CorrelationId, cell: ActorCell, type: string): Replier {
  return {
    resolve(value) {
      let copy: unknown;
      try {
        copy = copyAcross(value, host, () => cell.replyOf(type));
      } catch (error) {
        return void pending.reject(cid, error);
      }
      pending.resolve(cid, copy);
    },
    reject: (error) => void pending.reject(cid, reviveError(serializeError(error))),
  };
}
