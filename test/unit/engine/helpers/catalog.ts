// A minimal task catalog: the engine's flowables plus a few runnable types in group 'core'.
import { z } from 'zod';
import type { TaskCatalog, TaskTypeInfo } from '../../../../lib/model/catalog';
import { flowableTypes } from '../../../../lib/engine';
import { ForEachItemPart } from '../../../../lib/model/for-each-item';

export const RETURN = 'io.kestra.core.tasks.debugs.Return';
export const LOG = 'io.kestra.core.tasks.log.Log';
export const FAIL = 'io.kestra.core.tasks.executions.Fail';
export const BASH = 'io.kestra.core.tasks.scripts.Bash';

const runnable = (type: string, group: 'core' | 'scripts' = 'core', aliases: string[] = []): TaskTypeInfo => ({
  type, aliases, kind: 'runnable', group, properties: z.object({}).passthrough(),
});

export function testCatalog(): TaskCatalog {
  const infos: TaskTypeInfo[] = [
    ...flowableTypes,
    runnable(RETURN, 'core', ['io.kestra.plugin.core.debug.Return']),
    runnable(LOG),
    runnable(FAIL),
    runnable(BASH, 'scripts'),
    runnable(ForEachItemPart.split.type),
    runnable(ForEachItemPart.merge.type),
  ];
  const byName = new Map<string, TaskTypeInfo>();
  for (const info of infos) for (const name of [info.type, ...info.aliases]) byName.set(name, info);
  return { get: (type) => byName.get(type), types: () => infos };
}
