/**
 * How a joining node takes its name in the cluster's key-value bucket, before it announces
 * itself, and when it may take the name over from the node that held it.
 * @internal
 * @packageDocumentation
 */
import type { Clock } from '../clock.js';
import { MultitaskError } from '../errors.js';
import type { SystemId } from '../wire/ids.js';
import type { NodeNameHolder } from './ClusterNames.js';

/** What claiming a node's name works with. @internal */
export interface NodeNameClaim {
  /** This node's name, and its cluster's (for the errors). */
  readonly node: string;
  readonly cluster: string;
  readonly clock: Clock;
  readonly heartbeat: number;
  readonly downAfter: number;
  /** The cluster's names (`ClusterNames`): create if absent, and take over at a revision. */
  readonly names: {
    takeNode(node: string): Promise<'taken' | NodeNameHolder>;
    takeNodeOver(node: string, revision: number): Promise<boolean>;
  };
  /** A system heard saying it is alive with this node's name (its hello or beat), if any. */
  heardWithName(): SystemId | undefined;
  /** Asks `system` whether it is there (`NatsLink.probe`: only `'alive'` is taken at its word here). */
  probe(system: SystemId): Promise<'alive' | 'gone' | 'unknown'>;
  /** Whether the system is shutting down meanwhile (the claim gives up). */
  leaving(): boolean;
}

/**
 * Takes this node's name in the cluster's bucket: create if absent, so that of two nodes
 * that start with one name at once exactly one gets it. When another node's entry holds it:
 *
 * - that node is alive (it answers a probe, or this node hears its hello or beat): the
 *   claim rejects with `NAME_TAKEN` at once;
 * - the cluster declares it down meanwhile: the others delete its entry, and the name is
 *   taken as soon as it is free;
 * - it stays silent for `downAfter` + `heartbeat` (the time the others take to declare a
 *   silent node down; it may be the last node, with nobody left to do so): it is dead by
 *   the cluster's own rule, and the name is taken over with a write that holds only at the
 *   entry's revision seen, so that of two nodes taking over one name, one wins.
 *
 * A probe that finds nobody on the holder's subject is not enough to take the name over: a
 * node that joins has only just connected, and after a server's restart the holder may not
 * have reconnected yet. The wait is bounded: an entry still held (written again and again,
 * yet by nobody who answers) after three times the silence rejects with `NAME_TAKEN` too.
 * @throws (rejects with) {@link MultitaskError} `NAME_TAKEN`, `NODE_DOWN` (the bucket cannot be reached, or the system shut down meanwhile)
 * @internal
 */
export async function claimNodeName(claim: NodeNameClaim): Promise<void> {
  const silence = claim.downAfter + claim.heartbeat;
  const started = claim.clock.now();
  let seen: { readonly revision: number; readonly since: number } | undefined;
  for (;;) {
    if (claim.leaving()) throw new MultitaskError('NODE_DOWN', `the system shut down before node '${claim.node}' joined cluster '${claim.cluster}'`);
    const found = await fromBucket(claim, () => claim.names.takeNode(claim.node));
    if (found === 'taken') return;
    const heard = claim.heardWithName();
    if (heard !== undefined) throw taken(claim, heard, 'it is alive');
    const holder = found.holder?.system;
    if (holder !== undefined && (await claim.probe(holder)) === 'alive') throw taken(claim, holder, 'it is alive');
    const now = claim.clock.now();
    if (seen?.revision !== found.revision) seen = { revision: found.revision, since: now }; // written again: its silence starts now
    // An entry nobody can read is no node's; a holder silent that long is dead.
    const free = holder === undefined || now - seen.since >= silence;
    if (free && (await fromBucket(claim, () => claim.names.takeNodeOver(claim.node, found.revision)))) return;
    if (now - started >= 3 * silence) throw taken(claim, holder, `its entry was written again and again for ${Math.round(now - started)} ms, by nobody who answers`);
    await new Promise<void>((resolve) => claim.clock.setTimeout(resolve, claim.heartbeat)); // then look again: another node may have taken it over first
  }
}

function taken(claim: NodeNameClaim, holder: SystemId | undefined, why: string): MultitaskError {
  const who = holder === undefined ? '' : `system ${holder}; `;
  return new MultitaskError('NAME_TAKEN', `node name '${claim.node}' is taken in cluster '${claim.cluster}': another node has it (${who}${why})`);
}

/** What the bucket answers; an error of the server's (not a coded one) is `NODE_DOWN`, saying so. */
async function fromBucket<T>(claim: NodeNameClaim, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof MultitaskError) throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw new MultitaskError('NODE_DOWN', `node '${claim.node}' could not take its name in cluster '${claim.cluster}': its key-value bucket did not answer (${why})`, { cause: error });
  }
}
