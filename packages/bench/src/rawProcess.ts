// Baseline child: raw process.send (json). Counts one-way messages; answers pings, and
// `cpu` with its own CPU usage so far (the *.cpu cases add it to the parent's).
let count = 0;
process.on('message', (message: { kind: string; n: number }) => {
  if (message.kind === 'hit') count += 1;
  else if (message.kind === 'count') process.send?.(count);
  else if (message.kind === 'cpu') process.send?.(process.cpuUsage());
  else process.send?.(message.n);
});
