// Baseline child: raw process.send (json). Counts one-way messages; answers pings.
let count = 0;
process.on('message', (message: { kind: string; n: number }) => {
  if (message.kind === 'hit') count += 1;
  else if (message.kind === 'count') process.send?.(count);
  else process.send?.(message.n);
});
