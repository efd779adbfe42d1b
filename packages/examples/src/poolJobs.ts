/**
 * Ten jobs on a pool of three, as multitask. Python's original:
 *
 *   def job(i):
 *       print(f"job {i} in {os.getpid()}"); t = random.random() * 3; time.sleep(t); print(f"job {i} took {t}")
 *   p = Pool(3)
 *   for i in range(10): p.apply_async(job, args=(i,))
 *   print("start"); p.close(); p.join(); print("end")
 *
 * The jobs live in jobTasks.ts: pool workers import that module by URL.
 * Run: node dist/poolJobs.js [--placement thread|process] [--max-ms N]
 */
import { pathToFileURL } from 'node:url';
import { createPool } from '@multitask/core';
import { jobTasks } from './jobTasks.js';

/** What each job reported, in the order the jobs finished. */
export interface JobReport {
  readonly index: number;
  readonly worker: string;
  readonly ms: number;
}

/** Runs the ten jobs; `quiet`: nothing printed (the tests), only the reports returned. */
export async function tenJobsOnThree(options: { readonly placement: 'thread' | 'process'; readonly maxMs: number; readonly quiet?: boolean }): Promise<JobReport[]> {
  const pool = createPool({ tasks: jobTasks, size: 3, placement: options.placement }); // Pool(3)
  const finished: JobReport[] = [];
  // apply_async: start each job without waiting for it; keep the promise to catch its failure.
  const quiet = options.quiet === true;
  const say = (line: string): void => (quiet ? undefined : console.log(line));
  const jobs = Array.from({ length: 10 }, (_, i) => pool.apply('job', i, options.maxMs, quiet).then((report) => void finished.push(report)));
  say('  start');
  pool.close(); // no more jobs
  await pool.join(); // wait for all ten, and for the workers to exit
  await Promise.all(jobs); // a job that threw would reject here
  say('  end');
  return finished;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  const flag = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const placement = flag('--placement') ?? 'thread';
  if (placement !== 'thread' && placement !== 'process') throw new Error('--placement must be thread or process');
  await tenJobsOnThree({ placement, maxMs: Number(flag('--max-ms') ?? 3_000) });
}
