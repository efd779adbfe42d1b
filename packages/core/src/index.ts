/**
 * multitask: actors for Node.js. Actors run inline, in worker threads or in child
 * processes, talk through typed refs, and share nothing.
 *
 * @module @multitask/core
 */
export { defineActor } from './actor/defineActor.js';
export type { ActorContext, ActorDefinition, ActorSpec, AnyActorDefinition, DownNotice, Handler, Handlers } from './actor/defineActor.js';
export type { Timers } from './actor/Timers.js';
export { ActorRef } from './actor/ActorRef.js';
export { ActorSystem } from './system/ActorSystem.js';
export { createSystem } from './cluster/createSystem.js';
export type { ClusteredSystemOptions } from './cluster/createSystem.js';
export type { ClusterAuth, ClusterOptions, ClusterTls } from './cluster/clusterOptions.js';
export type { WireLimits } from './wire/wireLimits.js';
export type { BadFrame, DeadLetter, SystemEvents, SystemOptions } from './system/systemTypes.js';
export { serveInspector } from './inspector/serveInspector.js';
export type { Inspector, InspectorOptions } from './inspector/serveInspector.js';
export { diagnosticsChannels } from './observe/diagnostics.js';
export type { HandlerMessage } from './observe/diagnostics.js';
export type { TelemetryOptions } from './observe/Telemetry.js';
export type { ActorSnapshot, ActorStatus, ChannelSnapshot, CrashInfo, DurationPercentiles, HostCpu, HostMemory, HostSnapshot, MailboxSnapshot, PeerSnapshot, PoolSnapshot, PoolWorkerSnapshot, SupervisorChildSnapshot, SupervisorSnapshot, SystemSnapshot, TreeNode } from './observe/snapshotTypes.js';
export type { LocalPlacement, Placement, RemotePlacement, SpawnArgs, SpawnOptions, SpawnOptionsBase, ThreadLimits } from './actor/spawnTypes.js';
export type { DownReason } from './actor/DownReason.js';
export { Supervisor } from './supervisor/Supervisor.js';
export type { ChildSupervisor } from './supervisor/ChildSupervisor.js';
export type { ChildInfo } from './supervisor/spec.js';
export { child } from './supervisor/spec.js';
export type {
  ActorChildArgs,
  ActorChildId,
  ChildChildren,
  ChildDefinition,
  SupervisorChildId,
  ActorChildOptions,
  ActorChildSpec,
  Backoff,
  ChildOptions,
  ChildSpec,
  Intensity,
  RestartPolicy,
  Strategy,
  SupervisorChildSpec,
  SupervisorSpec,
} from './supervisor/spec.js';
export type {
  ArgsOf,
  AskArgs,
  AskOptions,
  HandlersOf,
  MessageType,
  PayloadArgs,
  PayloadOf,
  ReplyOf,
  SendArgs,
  SendOptions,
  StateOf,
} from './actor/types.js';
export type { MailboxOptions, OverflowPolicy } from './wire/protocol.js';
export { createChannel } from './channel/Channel.js';
export type { Channel, ChannelInfo, ChannelOptions, ChannelReceiver, ChannelSendOptions, ChannelSender, ChannelWaitOptions, DurableChannelOptions } from './channel/Channel.js';
export type { DurableChannel } from './channel/DurableChannel.js';
export { ChannelClosedError, ChannelEmptyError, ChannelFullError } from './channel/errors.js';
export { defineTasks } from './pool/defineTasks.js';
export type { TaskArgs, TaskFunction, TaskFunctions, TaskName, TaskResult, TaskSet, UnaryTaskName } from './pool/defineTasks.js';
export { Pool, createPool } from './pool/Pool.js';
export type { CallOptions, Initializer, IterOptions, MapOptions, Percentiles, PoolEvents, PoolMetrics, PoolOptions, TaskCall, WorkerMetrics } from './pool/options.js';
export type { NodeMetrics, PoolNodes } from './pool/PoolNodes.js';
export { ErrorCode, MultitaskError, isMultitaskError } from './errors.js';
export type { MultitaskErrorOptions } from './errors.js';
export { systemClock } from './clock.js';
export type { Clock, TimerHandle } from './clock.js';
export type { ActorId, Branded } from './wire/ids.js';
