// Flowable task types: evaluated by the engine, never sent to a worker.
import type { TaskTypeInfo } from '../../model/catalog';
import { allowFailure } from './allow-failure';
import type { FlowableBehaviour } from './behaviour';
import { dag } from './dag';
import { eachParallel, eachSequential } from './each';
import { exit } from './exit';
import { setVariables, unsetVariables } from './execution-variables';
import { forEach } from './for-each';
import { forEachItem } from './for-each-item';
import { forEachItemBatches } from './for-each-item-batches';
import { ifTask } from './if';
import { killTask } from './kill-task';
import { labels } from './labels';
import { loopUntil } from './loop-until';
import { parallel } from './parallel';
import { resumeTask } from './resume-task';
import { pause } from './pause';
import { sleep } from './sleep';
import { sequential } from './sequential';
import { subflow } from './subflow';
import { switchTask } from './switch';
import { workingDirectory } from './working-directory';

export const flowableBehaviours: readonly FlowableBehaviour[] = [
  sequential, parallel, switchTask, eachSequential, eachParallel, allowFailure, pause, subflow,
  forEach, ifTask, sleep, dag, loopUntil, exit, labels, setVariables, unsetVariables, killTask, resumeTask,
  forEachItem, forEachItemBatches,
  workingDirectory,
];

export const flowableTypes: readonly TaskTypeInfo[] = flowableBehaviours.map((b) => b.info);

let byName: Map<string, FlowableBehaviour> | undefined;

/** The behaviour for a flowable type name (0.x name or alias), or undefined for any other type. */
export function flowableBehaviour(type: string): FlowableBehaviour | undefined {
  if (!byName) {
    byName = new Map();
    for (const b of flowableBehaviours) for (const name of [b.info.type, ...b.info.aliases]) byName.set(name, b);
  }
  return byName.get(type);
}
