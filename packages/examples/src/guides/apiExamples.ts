// The @example of every export of @multitask/core without one of its own: each region is
// included into the API reference ({@includeCode}) and runs in the tests.
import {
  ChannelClosedError,
  ChannelEmptyError,
  ChannelFullError,
  child,
  createChannel,
  createPool,
  createSystem,
  isMultitaskError,
  MultitaskError,
  systemClock,
  type ActorChildArgs,
  type ActorChildId,
  type ActorChildOptions,
  type ActorChildSpec,
  type ActorContext,
  type DownNotice,
  type ChildSupervisor,
  type Timers,
  type ActorDefinition,
  type ActorId,
  type ActorRef,
  type ActorSpec,
  type AnyActorDefinition,
  type ArgsOf,
  type AskArgs,
  type AskOptions,
  type Backoff,
  type Branded,
  type CallOptions,
  type Channel,
  type ChannelInfo,
  type ChannelOptions,
  type ChannelReceiver,
  type ChannelSender,
  type ChannelSendOptions,
  type ChannelWaitOptions,
  type ChildChildren,
  type ChildDefinition,
  type ChildInfo,
  type ChildOptions,
  type ChildSpec,
  type DeadLetter,
  type DownReason,
  type ErrorCode,
  type Handler,
  type Handlers,
  type HandlersOf,
  type Initializer,
  type Intensity,
  type IterOptions,
  type MailboxOptions,
  type MapOptions,
  type MessageType,
  type MultitaskErrorOptions,
  type OverflowPolicy,
  type PayloadArgs,
  type PayloadOf,
  type Percentiles,
  type Placement,
  type PoolEvents,
  type PoolMetrics,
  type PoolOptions,
  type ReplyOf,
  type RestartPolicy,
  type SendArgs,
  type SendOptions,
  type SpawnArgs,
  type SpawnOptions,
  type SpawnOptionsBase,
  type StateOf,
  type Strategy,
  type SupervisorChildId,
  type SupervisorChildSpec,
  type SupervisorSpec,
  type SystemEvents,
  type SystemOptions,
  type TaskArgs,
  type TaskCall,
  type TaskFunction,
  type TaskFunctions,
  type TaskName,
  type TaskResult,
  type TaskSet,
  type ThreadLimits,
  type TimerHandle,
  type UnaryTaskName,
  type WorkerMetrics,
} from '@multitask/core';
import { Counter } from './lifecycle.js';
import { mathTasks } from './mathTasks.js';

/** Runs every example; resolves with what they produced, for the tests to check. */
export async function apiExamples(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};

  // #region SystemOptions
  const options: SystemOptions = { askTimeout: 5_000, shutdownTimeout: 2_000, spawnTimeout: 30_000, clock: systemClock };
  await using system = createSystem(options);
  // #endregion SystemOptions

  // #region systemClock
  const started = systemClock.now(); // ms, from a monotonic clock (process.hrtime)
  const timer: TimerHandle = systemClock.setTimeout(() => undefined, 1_000);
  systemClock.clearTimeout(timer);
  // #endregion systemClock
  out.clock = systemClock.now() >= started;

  // #region ActorSpec
  const spec: ActorSpec<number, { count: number }, Handlers<{ count: number }>> = {
    url: import.meta.url,
    name: 'Inline',
    init: (start) => ({ count: start }),
    handlers: { get: (ctx) => ctx.state.count },
  };
  // #endregion ActorSpec
  out.spec = spec.name;

  // #region ActorContext
  const handler: Handler<{ count: number }> = (ctx: ActorContext<{ count: number }>, by: number) => {
    ctx.state.count += by; // ctx.id, ctx.self (a ref to itself), ctx.stop() and ctx.signal (aborted when it stops) are there too
  };
  // #endregion ActorContext
  // #region DownNotice
  const onDown = (ctx: ActorContext<{ gone: string[] }>, down: DownNotice): void => {
    ctx.state.gone.push(`${down.ref.id}: ${down.reason.kind}`); // ctx.watch(ref) asked for it
  };
  // #endregion DownNotice
  void onDown;
  // #region ChildSupervisor
  const supervising = async (ctx: ActorContext<{ workers?: ChildSupervisor }>): Promise<void> => {
    ctx.state.workers = await ctx.supervise({
      strategy: 'one-for-one',
      intensity: { maxRestarts: 3, withinMs: 10_000 }, // a fourth crash: the supervisor gives up, and this actor crashes
      children: [child('cache', Counter, { args: 0 }), child('store', Counter, { placement: 'thread', args: 0 })],
    });
  };
  // #endregion ChildSupervisor
  void supervising;
  // #region Timers
  const ticking: Handler<{ ticks: number }> = (ctx: ActorContext<{ ticks: number }>) => {
    const timers: Timers = ctx.timers;
    timers.every('heartbeat', 1_000, 'beat'); // a 'beat' message every second, until cancelled or stopped
    timers.once('give-up', 30_000, 'timeout', { after: 30_000 });
    timers.cancel('give-up');
  };
  // #endregion Timers
  void ticking;
  // #region Handlers
  const handlers: Handlers<{ count: number }> = { add: handler, get: (ctx) => ctx.state.count };
  // #endregion Handlers
  out.handlers = Object.keys(handlers);

  // #region ActorDefinition
  const definition: ActorDefinition<number, { count: number }, { add(ctx: ActorContext<{ count: number }>, by: number): void; get(ctx: ActorContext<{ count: number }>): number }> = Counter as never;
  const whichever: AnyActorDefinition = Counter; // any definition, whatever its types
  // #endregion ActorDefinition
  out.definition = definition.name === whichever.name;

  // #region Placement
  const placement: Placement = 'thread'; // 'inline' | 'thread' | 'process' | { node: 'b', in: 'thread' } (a joined system)
  // #endregion Placement
  // #region MailboxOptions
  const mailbox: MailboxOptions = { capacity: 1_000, overflow: 'backpressure' };
  // #endregion MailboxOptions
  // #region OverflowPolicy
  const overflow: OverflowPolicy = 'drop-oldest'; // or 'backpressure', 'drop-newest', 'fail'
  // #endregion OverflowPolicy
  // #region ThreadLimits
  const limits: ThreadLimits = { maxOldGenerationSizeMb: 256 };
  // #endregion ThreadLimits
  // #region SpawnOptionsBase
  const base: SpawnOptionsBase = { placement, name: 'counter', mailbox, resourceLimits: limits };
  // #endregion SpawnOptionsBase
  // #region SpawnOptions
  const spawnOptions: SpawnOptions<number> = { ...base, args: 0 }; // args required: Counter's init needs a number
  // #endregion SpawnOptions
  // #region SpawnArgs
  const spawnArgs: SpawnArgs<typeof Counter> = [spawnOptions];
  const counter = await system.spawn(Counter, ...spawnArgs);
  // #endregion SpawnArgs
  out.overflow = overflow;

  // #region ActorId
  const id: ActorId = counter.id; // "1.1": node 1, its first actor
  // #endregion ActorId
  // #region Branded
  type Meters = Branded<number, 'Meters'>;
  const distance = 5 as Meters; // a number the compiler keeps apart from other numbers
  // #endregion Branded
  out.id = typeof id === 'string' && distance === 5;

  // #region MessageType
  const type: MessageType<typeof Counter> = 'add'; // 'add' | 'get'
  // #endregion MessageType
  // #region PayloadOf
  const payload: PayloadOf<typeof Counter, 'add'> = 2; // number
  // #endregion PayloadOf
  // #region PayloadArgs
  const tellArgs: PayloadArgs<typeof Counter, 'add'> = [payload];
  counter.tell(type, ...tellArgs);
  // #endregion PayloadArgs
  // #region SendOptions
  const sendOptions: SendOptions = { signal: AbortSignal.timeout(5_000) };
  // #endregion SendOptions
  // #region SendArgs
  const sendArgs: SendArgs<typeof Counter, 'add'> = [3, sendOptions];
  await counter.send('add', ...sendArgs);
  // #endregion SendArgs
  // #region AskOptions
  const askOptions: AskOptions = { timeout: 1_000 };
  // #endregion AskOptions
  // #region AskArgs
  const askArgs: AskArgs<typeof Counter, 'get'> = [undefined, askOptions];
  // #endregion AskArgs
  // #region ReplyOf
  const total: ReplyOf<typeof Counter, 'get'> = await counter.ask('get', ...askArgs); // number
  // #endregion ReplyOf
  out.total = total;

  // #region ArgsOf
  const initArgs: ArgsOf<typeof Counter> = 10; // what init takes: number
  // #endregion ArgsOf
  // #region StateOf
  const state: StateOf<typeof Counter> = { count: initArgs, started: false };
  // #endregion StateOf
  // #region HandlersOf
  const names: Array<keyof HandlersOf<typeof Counter>> = ['add', 'get'];
  // #endregion HandlersOf
  out.typed = state.count === 10 && names.length === 2;

  // #region SystemEvents
  const stops: string[] = [];
  const onStopped = (...[ref, reason]: SystemEvents['actor:stopped']): void => void stops.push(`${ref.id}: ${reason.kind}`);
  system.on('actor:stopped', onStopped);
  // #endregion SystemEvents
  // #region DownReason
  system.on('actor:crashed', (ref, reason: DownReason) => {
    if (reason.kind === 'exit') console.log(`${ref.id} exited with ${reason.code}`);
    else if (reason.kind === 'signal') console.log(`${ref.id} was killed by ${reason.signal}`);
  });
  // #endregion DownReason
  // #region DeadLetter
  const letters: DeadLetter[] = [];
  system.on('dead-letter', (letter) => letters.push(letter)); // recipient, type, payload, error
  await system.stop(counter);
  counter.tell('add', 1); // to a stopped actor: a dead letter
  // #endregion DeadLetter
  out.deadLetters = letters.map((l) => l.type);
  out.stops = stops.length;

  // #region ErrorCode
  const code: ErrorCode = 'ASK_TIMEOUT';
  // #endregion ErrorCode
  // #region MultitaskErrorOptions
  const errorOptions: MultitaskErrorOptions = { cause: new Error('the disk is full') };
  const error = new MultitaskError('SPAWN_FAILED', 'could not start the indexer', errorOptions);
  // #endregion MultitaskErrorOptions
  // #region isMultitaskError
  const coded = isMultitaskError(error) && error.code !== code; // true: a MultitaskError, another code
  // #endregion isMultitaskError
  out.coded = coded;

  // #region ChannelOptions
  const channelOptions: ChannelOptions = { capacity: 2 };
  const channel: Channel<string> = createChannel<string>(channelOptions);
  // #endregion ChannelOptions
  // #region ChannelSendOptions
  const channelSend: ChannelSendOptions = { timeout: 1_000, transfer: [] };
  await channel.send('a', channelSend);
  // #endregion ChannelSendOptions
  // #region ChannelSender
  const sender: ChannelSender<string> = channel.sender; // send, trySend, close: no receive
  await sender.send('b');
  // #endregion ChannelSender
  // #region ChannelInfo
  const info: ChannelInfo = channel; // size, capacity, closed, isEmpty(), isFull()
  const full = info.isFull();
  // #endregion ChannelInfo
  // #region ChannelFullError
  const refused = await sender.trySend('c').catch((e: unknown) => e instanceof ChannelFullError); // true: CHANNEL_FULL
  // #endregion ChannelFullError
  // #region ChannelWaitOptions
  const wait: ChannelWaitOptions = { timeout: 1_000, signal: AbortSignal.timeout(5_000) };
  // #endregion ChannelWaitOptions
  // #region ChannelReceiver
  const receiver: ChannelReceiver<string> = channel.receiver; // receive, tryReceive, for await: no send
  const first = await receiver.receive(wait);
  // #endregion ChannelReceiver
  await receiver.receive();
  // #region ChannelEmptyError
  const empty = await receiver.tryReceive().catch((e: unknown) => e instanceof ChannelEmptyError); // true: CHANNEL_EMPTY
  // #endregion ChannelEmptyError
  // #region ChannelClosedError
  channel.close();
  const closed = await sender.send('d').catch((e: unknown) => e instanceof ChannelClosedError); // true: CHANNEL_CLOSED
  // #endregion ChannelClosedError
  out.channel = { full, refused, first, empty, closed };

  // #region RestartPolicy
  const restart: RestartPolicy = 'transient'; // restarted after a crash, not after ctx.stop()
  // #endregion RestartPolicy
  // #region ChildOptions
  const childOptions: ChildOptions = { restart, shutdownTimeout: 2_000, handlerTimeout: 10_000 };
  // #endregion ChildOptions
  // #region ActorChildOptions
  const actorChildOptions: ActorChildOptions<number> = { ...childOptions, placement: 'thread', args: 0 };
  // #endregion ActorChildOptions
  // #region ActorChildArgs
  const childArgs: ActorChildArgs<typeof Counter> = [actorChildOptions];
  const counterChild: ActorChildSpec<'counter', typeof Counter> = child('counter', Counter, ...childArgs);
  // #endregion ActorChildArgs
  // #region Strategy
  const strategy: Strategy = 'rest-for-one';
  // #endregion Strategy
  // #region Intensity
  const intensity: Intensity = { maxRestarts: 5, withinMs: 10_000 };
  // #endregion Intensity
  // #region Backoff
  const backoff: Backoff = { initialMs: 10, maxMs: 1_000, factor: 2, jitter: 0.2 };
  // #endregion Backoff
  // #region SupervisorChildSpec
  const inner: SupervisorChildSpec<'inner', readonly [ActorChildSpec<'leaf', typeof Counter>]> = child('inner', {
    children: [child('leaf', Counter, { args: 1 })] as const,
  });
  // #endregion SupervisorChildSpec
  // #region SupervisorSpec
  // `id` names its children in error messages: `actor counters/counter (…) is stopped`.
  const supervisorSpec = { id: 'counters', strategy, intensity, backoff, children: [counterChild, inner] as const } satisfies SupervisorSpec;
  const sup = await system.supervise(supervisorSpec);
  // #endregion SupervisorSpec
  // #region ChildSpec
  const specs: readonly ChildSpec[] = supervisorSpec.children; // actors and supervisors alike
  // #endregion ChildSpec
  // #region ActorChildId
  const childId: ActorChildId<typeof supervisorSpec.children> = 'counter';
  // #endregion ActorChildId
  // #region ChildDefinition
  const childRef: ActorRef<ChildDefinition<typeof supervisorSpec.children, 'counter'>> = sup.ref(childId);
  // #endregion ChildDefinition
  // #region SupervisorChildId
  const innerId: SupervisorChildId<typeof supervisorSpec.children> = 'inner';
  // #endregion SupervisorChildId
  // #region ChildChildren
  const leafSpecs: ChildChildren<typeof supervisorSpec.children, 'inner'> = supervisorSpec.children[1].spec.children;
  const leaf = sup.supervisor(innerId).ref(leafSpecs[0].id);
  // #endregion ChildChildren
  // #region ChildInfo
  const children: ChildInfo[] = sup.children(); // id, kind, status, restarts
  // #endregion ChildInfo
  out.supervised = { specs: specs.length, counter: await childRef.ask('get'), leaf: await leaf.ask('get'), children: children.map((c) => c.status) };

  // #region TaskFunction
  const cube: TaskFunction = (x: number) => x ** 3;
  // #endregion TaskFunction
  // #region TaskFunctions
  const functions: TaskFunctions = { cube };
  // #endregion TaskFunctions
  // #region TaskSet
  const set: TaskSet<typeof mathTasks.tasks> = mathTasks; // url, name, tasks
  // #endregion TaskSet
  // #region TaskName
  const taskName: TaskName<typeof mathTasks> = 'add'; // 'square' | 'add'
  // #endregion TaskName
  // #region TaskArgs
  const taskArgs: TaskArgs<typeof mathTasks, 'add'> = [2, 3];
  // #endregion TaskArgs
  // #region UnaryTaskName
  const unary: UnaryTaskName<typeof mathTasks> = 'square'; // what map and imap can run
  // #endregion UnaryTaskName
  // #region TaskCall
  const setup: TaskCall<'square', [number]> = { task: 'square', args: [0] };
  // #endregion TaskCall
  // #region Initializer
  const initializer: Initializer<typeof mathTasks> = setup; // runs once on each worker
  // #endregion Initializer
  // #region PoolOptions
  const poolOptions: PoolOptions<typeof mathTasks> = { tasks: set, size: 2, placement: 'thread', initializer, maxQueue: 10_000, taskTimeout: 60_000 };
  await using pool = createPool(poolOptions);
  await pool.ready; // optional: calls made before the workers are up wait for them
  // #endregion PoolOptions
  // #region CallOptions
  const callOptions: CallOptions = { timeout: 5_000, signal: AbortSignal.timeout(10_000), retries: 1 };
  // #endregion CallOptions
  // #region TaskResult
  const five: TaskResult<typeof mathTasks, 'add'> = await pool.run(taskName, taskArgs, callOptions); // number
  // #endregion TaskResult
  // #region MapOptions
  const mapOptions: MapOptions = { chunkSize: 100, timeout: 5_000 };
  const squares = await pool.map(unary, [1, 2, 3], mapOptions);
  // #endregion MapOptions
  // #region IterOptions
  const iterOptions: IterOptions = { chunkSize: 10, window: 4 };
  let sum = 0;
  for await (const n of pool.imap('square', [1, 2, 3], iterOptions)) sum += n;
  // #endregion IterOptions
  // #region PoolEvents
  const onReplaced = (...[reason]: PoolEvents['worker:replaced']): void => console.log(`a worker was replaced: ${reason.kind}`);
  pool.on('worker:replaced', onReplaced);
  // #endregion PoolEvents
  // #region PoolMetrics
  const metrics: PoolMetrics = pool.metrics(); // queued, running, completed, failed, workers, runTime, waitTime
  // #endregion PoolMetrics
  // #region WorkerMetrics
  const busiest: WorkerMetrics | undefined = [...metrics.workers].sort((a, b) => b.utilisation - a.utilisation)[0];
  // #endregion WorkerMetrics
  // #region Percentiles
  const runTime: Percentiles = metrics.runTime; // p50, p90, p99 in ms
  // #endregion Percentiles
  out.pool = { five, squares, sum, functions: Object.keys(functions), workers: metrics.workers.length, busiest: busiest !== undefined, p99: runTime.p99 >= runTime.p50 };
  return out;
}
