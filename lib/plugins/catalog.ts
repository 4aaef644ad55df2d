// Every task type Aloft knows, by canonical name and by alias.
import type { TaskCatalog, TaskTypeInfo } from '../model/catalog';
import { flowableTypes } from '../engine/flowables';
import type { RunnableTaskDefinition } from './types';
import { coreTasks } from './core';
import { scriptsTasks } from './scripts';
import { jdbcTasks } from './jdbc';
import { kafkaTasks } from './kafka';
import { singerTasks } from './singer';
import { gcpTasks } from './gcp';
import { serdesTasks } from './serdes';

export const runnableTasks: readonly RunnableTaskDefinition[] = [
  ...coreTasks, ...scriptsTasks, ...jdbcTasks, ...kafkaTasks, ...singerTasks, ...gcpTasks, ...serdesTasks,
];

export interface PluginCatalog extends TaskCatalog {
  runnable(type: string): RunnableTaskDefinition | undefined;
}

/** Builds the catalog; a duplicate name is a programming error caught by the catalog's test. */
export function createCatalog(
  runnables: readonly RunnableTaskDefinition[] = runnableTasks,
  flowables: readonly TaskTypeInfo[] = flowableTypes,
): PluginCatalog {
  const infos = new Map<string, TaskTypeInfo>();
  const defs = new Map<string, RunnableTaskDefinition>();
  const all: TaskTypeInfo[] = [];
  const add = (info: TaskTypeInfo): void => {
    if (!info.internal) all.push(info);
    for (const name of [info.type, ...info.aliases]) {
      if (infos.has(name)) throw new Error(`task type ${name} is registered twice`);
      infos.set(name, info);
    }
  };
  for (const f of flowables) add(f);
  for (const d of runnables) {
    add({
      type: d.type, aliases: d.aliases, kind: 'runnable', group: d.group, properties: d.properties,
      ...(d.status ? { status: d.status } : {}), ...(d.internal ? { internal: d.internal } : {}),
    });
    for (const name of [d.type, ...d.aliases]) defs.set(name, d);
  }
  return {
    get: (type) => infos.get(type),
    types: () => all,
    runnable: (type) => defs.get(type),
  };
}

let defaultCatalog: PluginCatalog | undefined;
/** The catalog of every built-in type, built on first use (nothing happens at import time). */
export function catalog(): PluginCatalog {
  defaultCatalog ??= createCatalog();
  return defaultCatalog;
}
