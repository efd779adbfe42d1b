import { microtask } from '../microtask.js';
import { monotonicNow } from '../clock.js';

/** Something that runs when its turn comes: an actor's cell with messages to handle. @internal */
export interface Runnable {
  run(): void;
}

/** A group of cells made ready together (between two steps), in order, that waits for its steps. */
interface Group {
  readonly cells: Array<Runnable | undefined>;
  /** The next of `cells` to run. */
  head: number;
  /** The step it began to wait in. */
  readonly since: number;
  /** When it began to wait (the queue's clock: `monotonicNow()` as of a recent step). */
  readonly sinceMs: number;
}

/** Cells made ready since the last step, in order: the newest group, once the next step takes it. */
let fresh: Runnable[] = [];
/** Groups that wait, oldest first and newest last; `waiting[oldest]` is the oldest still waiting. */
const waiting: Array<Group | undefined> = [];
let oldest = 0;
let due = false;
/** Steps run so far (a cell each): one clock of waiting groups. */
let steps = 0;
const later: Runnable[] = [];
let laterDue = false;
/**
 * Cells that run at most before the event loop gets a turn, in steps that follow one another
 * without the queue going idle (a step's cell makes others ready: two actors that tell each
 * other for ever).
 */
const TURN = 256;
/** Cells that may still run before the event loop gets a turn: {@link TURN} when the queue is idle. */
let left = TURN;
/**
 * How long a group waits behind newer work before it gets every other step, oldest first,
 * until it has run: half a million steps (each an actor's run, of one message or more) or
 * five seconds, whichever comes first. Sooner, and a tree of a million actors goes back to
 * breadth first: each old actor run starts a subtree of its own.
 */
const AGED_STEPS = 2048 * 256;
const AGED_MS = 5000;
/**
 * The queue's clock for {@link AGED_MS}: read as a turn begins and every {@link CLOCK_EVERY}
 * steps, not for each step and each group (those reads were 1% of a tree of a million
 * actors). A group may so age up to that many steps late.
 */
let clockMs = 0;
const CLOCK_EVERY = 64;
/**
 * Most steps in a row that go to the cells made ready by the step before while older cells
 * wait; the next goes to the newest group that waits. Two actors that keep waking each
 * other would otherwise hold back every actor made ready beside them until it aged
 * (Tokio bounds the slot of its newest task the same way, at three). In a tree of a million
 * actors, 3, 8, 32 and no bound left the same 35-38 MB to be promoted.
 */
const STREAK = 3;
/** Steps in a row that went to the cells made ready by the step before while older cells waited. */
let streak = 0;

/**
 * One step of the run queue: one cell runs, and the promise reactions it queued run before
 * the next step picks who is next. That is the newest work: the cells made ready since the
 * last step, in the order they were, else the newest group that waits; but never more than
 * {@link STREAK} steps in a row while others wait, and every other step goes to the oldest
 * group once that has waited too long (see {@link AGED_STEPS}).
 *
 * Newest first is what keeps a tree of actors small. Run in the order they were made ready,
 * the actors of a tree that spawn and ask their children build it breadth first: all
 * million leaves exist, each with its ask, before the first one answers (a gigabyte of heap
 * for the garbage collector to copy). Run newest first, a subtree is built, answered and
 * gone before the next one starts, as Go's and Tokio's schedulers favour the work just
 * woken. One cell a step, and the work its reactions make is what goes next: about a
 * hundred actors of a million live at once (a group of cells a step let each of a parent's
 * children spawn theirs first, and six thousand lived at once: what the young collections
 * copied of them was a quarter of the tree's time). Within a group the order
 * is kept, and what waits too long goes first, so that nothing waits forever behind work
 * that keeps coming.
 */
function step(): void {
  if (left === TURN || (steps & (CLOCK_EVERY - 1)) === 0) clockMs = monotonicNow();
  steps++;
  left--;
  runOne(next());
  if (oldest >= waiting.length) {
    waiting.length = 0;
    oldest = 0;
    if (fresh.length === 0) {
      left = TURN;
      due = false;
      return;
    }
  }
  if (left === 0) setImmediate(nextTurn);
  else microtask(step);
}

/** The cell the step runs (there is one: a step is queued only when there is). */
function next(): Runnable {
  const othersWait = oldest < waiting.length;
  if (othersWait && (steps & 1) === 0 && aged(waiting[oldest] as Group)) return takeOldest();
  if (fresh.length > 0) {
    if (!othersWait) streak = 0;
    else if (++streak > STREAK) {
      streak = 0;
      return newestWaiting(); // the fresh cells stay first for the step after
    }
    if (fresh.length === 1) {
      const cell = fresh[0] as Runnable;
      fresh.length = 0;
      return cell;
    }
    waiting.push({ cells: fresh, head: 0, since: steps, sinceMs: clockMs });
    fresh = [];
  }
  return newestWaiting();
}

/** The next cell of the newest group that waits, out of it. */
function newestWaiting(): Runnable {
  const top = waiting[waiting.length - 1] as Group;
  const cell = shift(top);
  if (top.head === top.cells.length) waiting.pop();
  return cell;
}

/** A step after the event loop has had its turn: a whole {@link TURN} to run. */
function nextTurn(): void {
  left = TURN;
  step();
}

/** Whether `group` has waited long enough to go first (see {@link AGED_STEPS}). */
function aged(group: Group): boolean {
  return steps - group.since > AGED_STEPS || clockMs - group.sinceMs > AGED_MS;
}

/** The next cell of `group`, out of it (the caller drops the group once it is empty). */
function shift(group: Group): Runnable {
  const cell = group.cells[group.head] as Runnable;
  group.cells[group.head++] = undefined;
  return cell;
}

/** The oldest waiting cell, out of its group. */
function takeOldest(): Runnable {
  const group = waiting[oldest] as Group;
  const cell = shift(group);
  if (group.head === group.cells.length) {
    waiting[oldest++] = undefined;
    if (oldest >= 1024 && oldest * 2 >= waiting.length) {
      waiting.splice(0, oldest);
      oldest = 0;
    }
  }
  return cell;
}

function runLater(): void {
  laterDue = false;
  const now = later.splice(0);
  for (const cell of now) runOne(cell);
}

/** A cell catches its handlers' errors; anything else is a bug, reported without stopping the others. */
function runOne(cell: Runnable): void {
  try {
    cell.run();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

/**
 * Makes `cell` ready: it runs in a step of the run queue (see {@link step}), among the
 * newest work; the first step comes at the end of the current microtask checkpoint when the
 * queue is idle. No closure per cell to hand to a microtask (a closure with its context
 * was an eighth of an idle actor's memory).
 * @internal
 */
export function scheduleSoon(cell: Runnable): void {
  fresh.push(cell);
  if (!due) {
    due = true;
    microtask(step);
  }
}

/** Runs `cell` on the next turn of the event loop, after I/O and timers (a cell that used up its time slice). @internal */
export function scheduleLater(cell: Runnable): void {
  later.push(cell);
  if (!laterDue) {
    laterDue = true;
    setImmediate(runLater);
  }
}
