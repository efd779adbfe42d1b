/**
 * The seed's `Pool(3)` case spread over two nodes: the same ten jobs, three workers, one
 * on one node and two on another. The nodes serve the task set (`clusterNode.ts`); this
 * node only hands out the jobs.
 */
import { createPool, type ActorSystem } from '@multitask/core';
import { jobTasks } from '../jobTasks.js';
import type { JobReport } from '../poolJobs.js';

/** Runs the ten jobs on workers of `first` (one) and `second` (two), through `system`. */
export async function tenJobsOnTwoNodes(system: ActorSystem, first: string, second: string, options: { readonly maxMs: number; readonly quiet?: boolean }): Promise<JobReport[]> {
  // #region pool
  const pool = createPool({ tasks: jobTasks, system, nodes: { [first]: 1, [second]: 2 } }); // Pool(3), over two nodes
  await pool.ready; // every worker up on both nodes: the ten spread over all three, not over the first ones up
  const jobs = Array.from({ length: 10 }, (_, i) => pool.apply('job', i, options.maxMs, options.quiet));
  pool.close();
  await pool.join(); // all ten done, the workers on both nodes gone
  // #endregion pool
  return Promise.all(jobs);
}
