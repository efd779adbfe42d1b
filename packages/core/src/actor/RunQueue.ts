/** Something that runs when its turn comes: an actor's cell with messages to handle. @internal */
export interface Runnable {
  run(): void;
}

const soon: Array<Runnable | undefined> = [];
/** The next cell of {@link soon} to run. */
let soonHead = 0;
const later: Runnable[] = [];
let soonDue = false;
let laterDue = false;
/**
 * Cells run in one microtask, before the run queue lets the other microtasks in (the
 * promise reactions of what they did). One pass for all of them kept every reaction of a
 * million cells waiting, and alive, until the last had run: most of a tree's garbage
 * outlived a young collection.
 */
const SOON_BATCH = 256;

function runSoon(): void {
  // Cells scheduled while this runs join the queue, behind the rest (as microtasks would).
  const end = Math.min(soon.length, soonHead + SOON_BATCH);
  for (; soonHead < end; soonHead++) {
    const cell = soon[soonHead] as Runnable;
    soon[soonHead] = undefined;
    runOne(cell);
  }
  if (soonHead < soon.length) {
    // Still due: the reactions first. The queue sheds what it ran once that is most of it.
    if (soonHead >= 4096 && soonHead * 2 >= soon.length) {
      soon.splice(0, soonHead);
      soonHead = 0;
    }
    return queueMicrotask(runSoon);
  }
  soonDue = false;
  soon.length = 0;
  soonHead = 0;
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
 * Runs `cell` at the end of the current microtask checkpoint: one microtask for every cell
 * scheduled in it, instead of a closure per cell to hand to `queueMicrotask` (a closure
 * with its context was an eighth of an idle actor's memory).
 * @internal
 */
export function scheduleSoon(cell: Runnable): void {
  soon.push(cell);
  if (!soonDue) {
    soonDue = true;
    queueMicrotask(runSoon);
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
