// The runnable task types of the `singer` plugin group: the 0.4 names the seed uses, the generic tap
// and target (./kinds.ts), and the other taps and targets of plugin-singer's last version
// (./tap-kinds.ts, ./target-kinds.ts), each run as a tap (./tap.ts) or a target (./target.ts).
import { PluginGroup } from '../../model/catalog';
import { withContainerJobs } from '../gcp/run/hand-over';
import type { RunnableTaskDefinition } from '../types';
import { SINGER_KINDS, type SingerKind } from './kinds';
import { TapOutputs, TargetOutputs } from './properties';
import { TAP_KINDS } from './tap-kinds';
import { TARGET_KINDS } from './target-kinds';
import { runTap, type TapProps, type TapResult } from './tap';
import { runTarget, type TargetProps, type TargetResult } from './target';

function definition(kind: SingerKind<any>): RunnableTaskDefinition {
  return {
    type: kind.type,
    aliases: [],
    group: PluginGroup.singer,
    properties: kind.properties,
    outputs: kind.role === 'tap' ? TapOutputs : TargetOutputs,
    // A DOCKER step on Cloud Run may outlive the invocation: handed over, resumed (../gcp/run/hand-over.ts).
    run: (ctx, props, continuation) => withContainerJobs(ctx, continuation, (): Promise<TapResult | TargetResult> => (kind.role === 'tap'
      ? runTap(ctx, kind as SingerKind<TapProps>, props as TapProps)
      : runTarget(ctx, kind as SingerKind<TargetProps>, props as TargetProps))),
  };
}

/** Every Singer kind: the seed's and generic ones first, then the catalogue's. */
export const ALL_SINGER_KINDS: readonly SingerKind<any>[] = [...SINGER_KINDS, ...TAP_KINDS, ...TARGET_KINDS];

export const singerTasks: readonly RunnableTaskDefinition[] = ALL_SINGER_KINDS.map(definition);
