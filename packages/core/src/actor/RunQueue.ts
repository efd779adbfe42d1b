/** Something that runs when its turn comes: an actor's cell with messages to handle. @internal */
export interface Runnable {
  run(): void;
}

/** Cells that did not all run in the step their group came to: a group of cells made ready together, in order. */
interface Group {
  readonly cells: Array<Runnable | undefined>;
  /** The next of `cells` to run. */
  head: number;
  /** The step it began to wait in. */
  readonly since: number;
  /** When it began to wait (`performance.now()`). */
  readonly sinceMs: number;
}

/** Cells made ready since the current step began, in order: the next step's newest group. */
let fresh: Runnable[] = [];
/** The array `fresh` was before the step took it: empty, to be `fresh` again (no array a step). */
let spare: Runnable[] = [];
/** Groups that wait, oldest first and newest last; `waiting[oldest]` is the oldest still waiting. */
const waiting: Array<Group | undefined> = [];
let oldest = 0;
let due = false;
/** Steps run so far: one clock of waiting groups. */
let steps = 0;
const later: Runnable[] = [];
let laterDue = false;
/**
 * Cells that run at most before the event loop gets a turn, in one step or in several that
 * follow one another without the queue going idle (a step's cells make others ready, which
 * run in a step of their own, at once: two actors that tell each other for ever). The promise
 * reactions of what a step did run before the next: one that had to wait for the event
 * loop finds the cells those reactions made ready (a parent's asks to the children it
 * spawned), and they go first.
 */
const TURN = 256;
/** Cells that may still run before the event loop gets a turn: {@link TURN} when the queue is idle. */
let left = TURN;
/**
 * How long a group waits behind newer work before it gets half of every step, oldest first,
 * until it has run: 2 048 steps (half a million handler runs) or five seconds, whichever comes
 * first. Sooner, and a tree of a million actors goes back to breadth first: each old actor
 * run starts a subtree of its own.
 */
const AGED_STEPS = 2048;
const AGED_MS = 5000;

/**
 * One step of the run queue: the cells made ready since the last step in the order they
 * were, then the groups that wait, newest first, as long as {@link left} lasts; half of it
 * for the oldest group once that has waited too long (see {@link AGED_STEPS}).
 *
 * Newest first is what keeps a tree of actors small. Run in the order they were made ready,
 * the actors of a tree that spawn and ask their children build it breadth first: all
 * million leaves exist, each with its ask, before the first one answers (a gigabyte of heap
 * for the garbage collector to copy). Run newest first, a subtree is built, answered and
 * gone before the next one starts, as Go's and Tokio's schedulers favour the work just
 * woken. Within a group the order is kept, and what waits too long goes first, so that
 * nothing waits forever behind work that keeps coming.
 */
function step(): void {
  steps++;
  let budget = left;
  for (const end = budget >> 1; budget > end && oldest < waiting.length && aged(waiting[oldest] as Group); budget--) {
    runOne(takeOldest());
  }
  if (fresh.length > 0 && budget > 0) {
    const group = fresh;
    fresh = spare;
    spare = group;
    const ran = Math.min(budget, group.length);
    for (let i = 0; i < ran; i++) runOne(group[i] as Runnable);
    budget -= ran;
    if (ran < group.length) waiting.push({ cells: group.slice(ran), head: 0, since: steps, sinceMs: performance.now() });
    group.length = 0;
  }
  while (budget > 0 && oldest < waiting.length) {
    const top = waiting[waiting.length - 1] as Group;
    const cell = shift(top);
    if (top.head === top.cells.length) waiting.pop();
    runOne(cell);
    budget--;
  }
  if (oldest === waiting.length) {
    waiting.length = 0;
    oldest = 0;
  }
  if (budget === 0 && (fresh.length > 0 || waiting.length > 0)) {
    setImmediate(nextTurn);
  } else if (fresh.length > 0) {
    left = budget;
    queueMicrotask(step);
  } else {
    left = TURN;
    due = false;
  }
}

/** A step after the event loop has had its turn: a whole {@link TURN} to run. */
function nextTurn(): void {
  left = TURN;
  step();
}

/** Whether `group` has waited long enough to go first (see {@link AGED_STEPS}). */
function aged(group: Group): boolean {
  return steps - group.since > AGED_STEPS || performance.now() - group.sinceMs > AGED_MS;
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
 * Runs `cell` in the run queue's next step (see {@link step}): at the end of the current
 * microtask checkpoint when the queue is idle. One microtask for every cell scheduled in it,
 * instead of a closure per cell to hand to `queueMicrotask` (a closure with its context was
 * an eighth of an idle actor's memory).
 * @internal
 */
export function scheduleSoon(cell: Runnable): void {
  fresh.push(cell);
  if (!due) {
    due = true;
    queueMicrotask(step);
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
