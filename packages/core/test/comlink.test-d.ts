import * as Comlink from 'comlink';
import { describe, expectTypeOf, it } from 'vitest';
import { child, createSystem, type ActorRef, type ArgsOf, type MessageType, type PayloadOf, type ReplyOf } from '../src/index.js';
import { comlinkActor, exposeActor, type ComlinkActorDefinition, type ExposedActor } from '../src/interop/comlink.js';
import { Legacy } from './fixtures/legacyActor.js';
import { Tally } from './fixtures/tally.js';

// Type tests (see types.test-d.ts): the compiler checks these; the bodies never run.
type Api = typeof import('./fixtures/legacy.mjs').api;

describe('comlinkActor types', () => {
  it("derive message types, payloads and replies from the exposed object's methods", async () => {
    const system = createSystem();
    const legacy = await system.spawn(Legacy);
    expectTypeOf(legacy).toEqualTypeOf<ActorRef<typeof Legacy>>();
    expectTypeOf(Legacy).toEqualTypeOf<ComlinkActorDefinition<Api>>();
    expectTypeOf<MessageType<typeof Legacy>>().toEqualTypeOf<
      'add' | 'inc' | 'get' | 'greet' | 'slow' | 'mostActive' | 'threadId' | 'data' | 'fail' | 'exit' | 'exitSoon'
    >();
    expectTypeOf<PayloadOf<typeof Legacy, 'add'>>().toEqualTypeOf<readonly [a: number, b: number]>();
    expectTypeOf(legacy.ask('add', [1, 2])).resolves.toEqualTypeOf<number>();
    expectTypeOf(legacy.ask('slow', [1, 'x'])).resolves.toEqualTypeOf<string>();
    expectTypeOf(legacy.ask('get')).resolves.toEqualTypeOf<number>();
    expectTypeOf(legacy.ask('inc')).resolves.toEqualTypeOf<number>();
    expectTypeOf(legacy.ask('inc', [2])).resolves.toEqualTypeOf<number>();
    expectTypeOf<ReplyOf<typeof Legacy, 'data'>>().toEqualTypeOf<unknown>();
    await legacy.ask('add', [1, 2] as const, { timeout: 100 });
    legacy.tell('greet', ['Ann']);

    // @ts-expect-error -- 'version' is a property, not a method
    void legacy.ask('version');
    // @ts-expect-error -- the payload is the argument list, not the argument
    void legacy.ask('greet', 'Ann');
    // @ts-expect-error -- 'add' takes two numbers
    void legacy.ask('add', [1]);
    // @ts-expect-error -- 'add' needs its arguments
    void legacy.ask('add');
    // @ts-expect-error -- 'get' takes none
    void legacy.ask('get', [1]);
  });

  it('spawn with optional workerData, and under a supervisor with typed child refs', async () => {
    const system = createSystem();
    expectTypeOf<ArgsOf<typeof Legacy>>().toEqualTypeOf<{ readonly workerData?: unknown } | undefined>();
    await system.spawn(Legacy, { args: { workerData: 1 }, name: 'legacy' });
    const sup = await system.supervise({ children: [child('legacy', Legacy)] });
    expectTypeOf(sup.ref('legacy')).toEqualTypeOf<ActorRef<typeof Legacy>>();
    expectTypeOf(sup.ref('legacy').ask('add', [1, 2])).resolves.toEqualTypeOf<number>();
    // @ts-expect-error -- args are { workerData }
    void system.spawn(Legacy, { args: 5 });
  });

  it('check the method list against the type', () => {
    const spec = { url: import.meta.url, name: 'X', script: './x.js' };
    comlinkActor<{ a(): void; b(n: number): number }>({ ...spec, methods: { a: true, b: true } });
    // @ts-expect-error -- 'b' is missing
    comlinkActor<{ a(): void; b(n: number): number }>({ ...spec, methods: { a: true } });
    // @ts-expect-error -- 'c' is not a method
    comlinkActor<{ a(): void }>({ ...spec, methods: { a: true, c: true } });
  });
});

describe('exposeActor types', () => {
  it('type the comlink proxy from the definition', async () => {
    const system = createSystem();
    const tally = await system.spawn(Tally);
    const { port1, port2 } = new MessageChannel();
    exposeActor(tally, port1, { timeout: 10 });
    const remote = Comlink.wrap<ExposedActor<typeof Tally>>(port2);
    expectTypeOf(remote.add(1)).resolves.toEqualTypeOf<number>();
    expectTypeOf(remote.get()).resolves.toEqualTypeOf<number>();
    expectTypeOf(remote.pair({ a: 1, b: 2 })).resolves.toEqualTypeOf<number>();
    // @ts-expect-error -- 'add' takes a number
    void remote.add('one');
    // @ts-expect-error -- no message type 'reset'
    void remote.reset();
  });
});
