// The runnable task types of the `singer` plugin group: the 0.4 names the seed uses and the generic
// tap and target, each a kind (./kinds.ts) run as a tap (./tap.ts) or a target (./target.ts).
import { PluginGroup } from '../../model/catalog';
import type { RunnableTaskDefinition } from '../types';
import { SINGER_KINDS, type SingerKind } from './kinds';
import { TapOutputs, TargetOutputs } from './properties';
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

export const singerTasks: readonly RunnableTaskDefinition[] = SINGER_KINDS.map(definition);
