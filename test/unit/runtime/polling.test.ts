// The polling-trigger pass (lib/runtime/core/polling.ts) with a polling trigger written for the test:
// slots claimed once, the state kept between polls and across a restart, ids, conditions and reports.
import { MemoryTriggerStateStore } from '../../../lib/adapters/local/trigger-state';
import type { BlobStore } from '../../../lib/ports/blob-store';
import type { PollState } from '../../../lib/ports/trigger-state';
import { pollTriggers, type PollDeps } from '../../../lib/runtime/core/polling';
import type { ParsedTriggerOf } from '../../../lib/triggers/catalog';
import type { PollingTrigger, PollingTriggers } from '../../../lib/triggers/polling';
import type { PollTarget } from '../../../lib/triggers/registry';
import { collectingReporter, flowWith, parsed, recordingStart, renderer } from '../triggers/fixtures';

const BIGQUERY = 'io.kestra.plugin.gcp.bigquery.Trigger';
const at = (iso: string): Date => new Date(iso);

/** A source of named items; the trigger fires once per batch of items it has not seen (kept in its state). */
function itemsTrigger(items: string[], opts: { byItems?: boolean } = {}): { impl: PollingTrigger<'BigQuery'>; polls: number[] } {
  const polls: number[] = [];
  const impl: PollingTrigger<'BigQuery'> = {
    idPrefix: 'test-poll',
    polls: () => true,
    intervalMs: (t) => t.intervalMs,
    async poll(ctx, _trigger, state) {
      polls.push(ctx.now.getTime());
      const seen = new Set((state?.seen as string[] | undefined) ?? []);
      const fresh = items.filter((i) => !seen.has(i));
      if (fresh.length === 0) return {};
      const id = opts.byItems ? ctx.executionId(fresh) : ctx.executionId();
      await ctx.fire(id, { items: fresh, size: fresh.length });
      return { state: (current: PollState | null) => ({ seen: [...new Set([...((current?.seen as string[]) ?? []), ...fresh])] }) };
    },
  };
  return { impl, polls };
}

const failing = (message: string): PollingTrigger<'BigQuery'> => ({
  idPrefix: 'test-poll', polls: () => true, intervalMs: (t) => t.intervalMs,
  poll: async () => { throw new Error(message); },
});

function target(flowId: string, extra: Record<string, unknown> = {}): PollTarget {
  const t = { id: 'watch', type: BIGQUERY, sql: 'SELECT 1', fetch: true, interval: 'PT1M', ...extra };
  return { flow: flowWith('io.aloft.tests', flowId, [t]), trigger: parsed(t) as ParsedTriggerOf<'BigQuery'> };
}

function setup(impl: PollingTrigger<'BigQuery'>, state = new MemoryTriggerStateStore()) {
  const { start, calls } = recordingStart();
  const { report, reports } = collectingReporter();
  const triggers = { Kafka: impl, BigQuery: impl, Gcs: impl } as unknown as PollingTriggers;
  const deps: PollDeps = {
    state, blobs: {} as BlobStore, start, renderer, report, context: { globals: {}, envs: {} }, env: {}, triggers,
  };
  return { deps, calls, reports, state };
}

describe('pollTriggers', () => {
  it('polls a trigger once per interval slot, however many passes run in it', async () => {
    const { impl, polls } = itemsTrigger([]);
    const { deps } = setup(impl);
    const t = [target('f')];
    await pollTriggers(deps, t, at('2026-01-01T10:00:05Z'));
    await pollTriggers(deps, t, at('2026-01-01T10:00:55Z'));
    await Promise.all([pollTriggers(deps, t, at('2026-01-01T10:01:10Z')), pollTriggers(deps, t, at('2026-01-01T10:01:20Z'))]);
    expect(polls).toEqual([at('2026-01-01T10:00:05Z').getTime(), at('2026-01-01T10:01:10Z').getTime()]);
  });

  it('starts the execution a poll fires, with trigger.* from it, and returns it', async () => {
    const { impl } = itemsTrigger(['a', 'b']);
    const { deps, calls } = setup(impl);
    const [started, ...more] = await pollTriggers(deps, [target('f', { inputs: { n: '{{ trigger.size }}' } })], at('2026-01-01T10:00:05Z'));
    expect(more).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ id: started.id, inputs: { n: 2 }, trigger: { id: 'watch', type: BIGQUERY, variables: { items: ['a', 'b'], size: 2 } } });
  });

  it('gives the next poll the state the last one folded, so seen items do not fire again, even after a restart', async () => {
    const items = ['a'];
    const { impl } = itemsTrigger(items);
    const state = new MemoryTriggerStateStore();
    const first = setup(impl, state);
    expect(await pollTriggers(first.deps, [target('f')], at('2026-01-01T10:00:05Z'))).toHaveLength(1);
    // A restarted runtime: the same store, a new pass.
    const again = setup(impl, state);
    expect(await pollTriggers(again.deps, [target('f')], at('2026-01-01T10:01:05Z'))).toEqual([]);
    items.push('b');
    const [next] = await pollTriggers(again.deps, [target('f')], at('2026-01-01T10:02:05Z'));
    expect(next.trigger?.variables).toEqual({ items: ['b'], size: 1 });
    expect(await state.getPollState('io.aloft.tests:f:watch')).toEqual({ seen: ['a', 'b'] });
  });

  it('names the execution after the items found when the trigger asks, so the same items start one execution', async () => {
    const { impl } = itemsTrigger(['a', 'b'], { byItems: true });
    // No state is kept between these two stores: only the derived id stops the second start.
    const { deps } = setup(impl);
    const other = { ...deps, state: new MemoryTriggerStateStore() };
    expect(await pollTriggers(deps, [target('f')], at('2026-01-01T10:00:05Z'))).toHaveLength(1);
    expect(await pollTriggers(other, [target('f')], at('2026-01-01T10:05:05Z'))).toEqual([]);
  });

  it("answers a poll's executionState from the runtime's executions, and undefined without them", async () => {
    const asked: Array<string | undefined> = [];
    const impl: PollingTrigger<'BigQuery'> = {
      idPrefix: 'test-poll', polls: () => true, intervalMs: (t) => t.intervalMs,
      async poll(ctx) {
        asked.push(await ctx.executionState('e1'));
        return {};
      },
    };
    const { deps } = setup(impl);
    await pollTriggers({ ...deps, executionState: async (id) => (id === 'e1' ? 'SUCCESS' : undefined) }, [target('f')], at('2026-01-01T10:00:05Z'));
    await pollTriggers(deps, [target('f')], at('2026-01-01T10:01:05Z'));
    expect(asked).toEqual(['SUCCESS', undefined]);
  });

  it('starts nothing when the trigger conditions do not hold', async () => {
    const { impl } = itemsTrigger(['a']);
    const { deps, calls } = setup(impl);
    const t = target('f', { conditions: [{ type: 'io.kestra.plugin.core.condition.ExpressionCondition', expression: '{{ trigger.size > 5 }}' }] });
    expect(await pollTriggers(deps, [t], at('2026-01-01T10:00:05Z'))).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('reports a failing poll with its flow and trigger, and still polls the other triggers', async () => {
    const { impl } = itemsTrigger(['a']);
    const { deps, reports } = setup(impl);
    const bad = { ...deps, triggers: { ...deps.triggers, BigQuery: failing('the table is gone') } } as PollDeps;
    await pollTriggers(bad, [target('broken')], at('2026-01-01T10:00:05Z'));
    expect(reports).toEqual([expect.objectContaining({
      level: 'ERROR', flow: 'io.aloft.tests.broken', trigger: 'watch', message: 'BigQuery trigger watch of io.aloft.tests.broken: the table is gone',
    })]);
    expect(await pollTriggers(deps, [target('broken'), target('fine')], at('2026-01-01T10:01:05Z'))).toHaveLength(2);
  });

  it('skips disabled triggers and the triggers its kind says do not poll', async () => {
    const { impl, polls } = itemsTrigger(['a']);
    const { deps } = setup({ ...impl, polls: (t) => t.id !== 'watch' });
    expect(await pollTriggers(deps, [target('f')], at('2026-01-01T10:00:05Z'))).toEqual([]);
    const { deps: deps2 } = setup(impl);
    expect(await pollTriggers(deps2, [target('g', { disabled: true })], at('2026-01-01T10:00:05Z'))).toEqual([]);
    expect(polls).toEqual([]);
  });
});
