import { describe, expectTypeOf, it } from 'vitest';
import { child, defineActor, type ActorRef, type AnyActorDefinition, type ChildInfo } from '../src/index.js';
import { Counter } from './fixtures/counter.js';
import { Faulty } from './fixtures/faulty.js';

// Type tests of what an actor's context offers (vitest's typecheck; the bodies never run).
describe("an actor's context, typed", () => {
  it('spawns children typed by their definition: args checked, ref and replies inferred', () => {
    defineActor({
      url: import.meta.url,
      name: 'TypedParent',
      init: () => ({}),
      handlers: {
        async spawnIt(ctx) {
          const counter = await ctx.spawn(Counter, { args: 1, placement: 'thread' });
          expectTypeOf(counter).toEqualTypeOf<ActorRef<typeof Counter>>();
          expectTypeOf(ctx.spawn(Counter, { args: 2 })).toEqualTypeOf<Promise<ActorRef<typeof Counter>>>();
          expectTypeOf(counter.ask('get')).resolves.toEqualTypeOf<number>();
          expectTypeOf(counter.ask('seen')).resolves.toEqualTypeOf<number[]>();
          // @ts-expect-error -- Counter's init takes a number
          void ctx.spawn(Counter, { args: 'one' });
          // @ts-expect-error -- and needs it: args are required
          void ctx.spawn(Counter, {});
          // @ts-expect-error -- no handler 'reset'
          counter.tell('reset');
          // @ts-expect-error -- 'add' takes a number
          counter.tell('add', 'one');
          expectTypeOf(ctx.children()).toEqualTypeOf<readonly ActorRef[]>();
        },
      },
    });
  });

  it('looks names up untyped, or typed by the definition it names', () => {
    defineActor({
      url: import.meta.url,
      name: 'TypedFinder',
      init: () => ({}),
      handlers: {
        async find(ctx) {
          expectTypeOf(ctx.lookup('anyone')).toEqualTypeOf<Promise<ActorRef<AnyActorDefinition> | undefined>>();
          const counter = await ctx.lookup('counter', Counter);
          expectTypeOf(counter).toEqualTypeOf<ActorRef<typeof Counter> | undefined>();
          if (counter !== undefined) {
            expectTypeOf(counter.ask('get')).resolves.toEqualTypeOf<number>();
            // @ts-expect-error -- a Counter has no 'boom'
            counter.tell('boom', 'x');
          }
        },
      },
    });
  });

  it('supervises children typed by their ids', () => {
    defineActor({
      url: import.meta.url,
      name: 'TypedBoss',
      init: () => ({}),
      handlers: {
        async supervise(ctx) {
          const sup = await ctx.supervise({ strategy: 'rest-for-one', children: [child('counter', Counter, { args: 0 }), child('faulty', Faulty, { placement: 'thread' })] });
          expectTypeOf(sup.ref('counter')).toEqualTypeOf<ActorRef<typeof Counter>>();
          expectTypeOf(sup.ref('faulty')).toEqualTypeOf<ActorRef<typeof Faulty>>();
          expectTypeOf(sup.children()).toEqualTypeOf<Promise<ChildInfo[]>>();
          // @ts-expect-error -- no child 'nobody'
          sup.ref('nobody');
          // @ts-expect-error -- Counter's init takes a number
          void ctx.supervise({ children: [child('bad', Counter, { args: 'zero' })] });
        },
      },
    });
  });
});
