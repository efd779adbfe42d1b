/** Something that runs when its turn comes: an actor's cell with messages to handle. @internal */
export interface Runnable {
  run(): void;
}

const soon: Runnable[] = [];
const later: Runnable[] = [];
let soonDue = false;
let laterDue = false;

function runSoon(): void {
  soonDue = false;
  // Cells scheduled while this runs join the same pass (as microtasks would).
  for (let i = 0; i < soon.length; i++) runOne(soon[i] as Runnable);
  soon.length = 0;
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
