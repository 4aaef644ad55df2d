// Task types that exist only in tests of the cloud runtime, added to the real catalog.
import { z } from 'zod';
import { createCatalog, runnableTasks, type PluginCatalog } from '../../lib/plugins/catalog';
import type { RunnableTaskDefinition } from '../../lib/plugins/types';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Works in `slices` steps of `sliceMs`; when the invocation's deadline is nearer than one step it
 * suspends with what it has done, and the next invocation carries on from there.
 */
export const ResumableTask: RunnableTaskDefinition<{ slices: number; sliceMs: number }, { slices: number; invocations: number }> = {
  type: 'io.aloft.test.Resumable',
  aliases: [],
  group: 'core',
  properties: z.object({ slices: z.number().int().positive(), sliceMs: z.number().int().positive() }),
  outputs: z.object({ slices: z.number(), invocations: z.number() }),
  async run(ctx, props, continuation) {
    const state = (continuation as { done: number; invocations: number } | undefined) ?? { done: 0, invocations: 0 };
    let done = state.done;
    const invocations = state.invocations + 1;
    while (done < props.slices) {
      if (ctx.deadline.getTime() - ctx.now().getTime() < props.sliceMs * 2) return { suspend: true, continuation: { done, invocations } };
      await sleep(props.sliceMs);
      done++;
    }
    return { slices: done, invocations };
  },
};

/** Counts how often each attempt runs, to prove that duplicate deliveries run nothing twice. */
export const runsByAttempt = new Map<string, number>();

export const CountedTask: RunnableTaskDefinition<{ sleepMs?: number }, { runs: number }> = {
  type: 'io.aloft.test.Counted',
  aliases: [],
  group: 'core',
  properties: z.object({ sleepMs: z.number().int().nonnegative().optional() }),
  outputs: z.object({ runs: z.number() }),
  async run(ctx, props) {
    const key = `${ctx.execution.id}/${ctx.taskRun.id}/${ctx.taskRun.attempt}`;
    const runs = (runsByAttempt.get(key) ?? 0) + 1;
    runsByAttempt.set(key, runs);
    if (props.sleepMs) await sleep(props.sleepMs);
    return { runs };
  },
};

export function testCatalog(): PluginCatalog {
  return createCatalog([...runnableTasks, ResumableTask, CountedTask]);
}
