// The runnable task types of the `singer` plugin group: the 0.4 names the seed uses, the generic tap
// and target (./kinds.ts), and the other taps and targets of plugin-singer's last version
// (./tap-kinds.ts, ./target-kinds.ts), each run as a tap (./tap.ts) or a target (./target.ts).
import { PluginGroup } from '../../model/catalog';
import type { RunnableTaskDefinition } from '../types';
import { SINGER_KINDS, type SingerKind } from './kinds';
import { TapOutputs, TargetOutputs } from './properties';
import { TAP_KINDS } from './tap-kinds';
import { TARGET_KINDS } from './target-kinds';
import { runTap, type TapProps } from './tap';
import { runTarget, type TargetProps } from './target';

function definition(kind: SingerKind<any>): RunnableTaskDefinition {
  return {
    type: kind.type,
    aliases: [],
    group: PluginGroup.singer,
    properties: kind.properties,
    outputs: kind.role === 'tap' ? TapOutputs : TargetOutputs,
    run: (ctx, props) => (kind.role === 'tap'
      ? runTap(ctx, kind as SingerKind<TapProps>, props as TapProps)
      : runTarget(ctx, kind as SingerKind<TargetProps>, props as TargetProps)),
  };
}

/** Every Singer kind: the seed's and generic ones first, then the catalogue's. */
export const ALL_SINGER_KINDS: readonly SingerKind<any>[] = [...SINGER_KINDS, ...TAP_KINDS, ...TARGET_KINDS];

export const singerTasks: readonly RunnableTaskDefinition[] = ALL_SINGER_KINDS.map(definition);
