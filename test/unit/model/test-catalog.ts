// A small catalog for model tests, independent of the real plugins and flowables being written alongside.
import { z } from 'zod';
import type { TaskCatalog, TaskTypeInfo } from '../../../lib/model/catalog';

const runnables: TaskTypeInfo[] = [
  {
    type: 'io.kestra.core.tasks.debugs.Return', aliases: ['io.kestra.plugin.core.debug.Return'], kind: 'runnable', group: 'core',
    properties: z.object({ format: z.string().optional() }).strict(),
  },
  {
    type: 'test.Typed', aliases: [], kind: 'runnable', group: 'core',
    properties: z.object({
      count: z.number().int().optional(),
      enabled: z.boolean().optional(),
      level: z.enum(['INFO', 'WARN']).optional(),
      items: z.array(z.string()).optional(),
      message: z.union([z.string(), z.array(z.string())]).optional(),
      nested: z.object({ image: z.string(), user: z.string().optional() }).strict().optional(),
      env: z.record(z.string(), z.string()).optional(),
    }).strict(),
  },
];

const flowables: TaskTypeInfo[] = [
  {
    type: 'io.kestra.core.tasks.flows.Sequential', aliases: ['io.kestra.plugin.core.flow.Sequential'], kind: 'flowable',
    properties: z.object({ tasks: z.array(z.unknown()).min(1), errors: z.array(z.unknown()).optional() }).strict(),
    childLists: ['tasks', 'errors'],
  },
  {
    type: 'io.kestra.core.tasks.flows.Switch', aliases: [], kind: 'flowable',
    properties: z.object({
      value: z.string(), cases: z.record(z.string(), z.array(z.unknown())), defaults: z.array(z.unknown()).optional(), errors: z.array(z.unknown()).optional(),
    }).strict(),
    childLists: ['defaults', 'errors'], childMaps: ['cases'],
  },
  {
    // A flowable whose schema leaves its children out: they are still found through childLists.
    type: 'test.Loose', aliases: [], kind: 'flowable', properties: z.object({ concurrent: z.number().optional() }).strict(), childLists: ['tasks'],
  },
];

/** The same lookup as lib/plugins/catalog: by canonical name and by alias. */
export function catalogOf(infos: readonly TaskTypeInfo[]): TaskCatalog {
  const byName = new Map(infos.flatMap((i) => [i.type, ...i.aliases].map((n) => [n, i] as const)));
  return { get: (type) => byName.get(type), types: () => infos };
}

export const testCatalog = catalogOf([...runnables, ...flowables]);
