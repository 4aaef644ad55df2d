// Flow revisions never change once saved, so executions can share one parsed copy of each.
import type { Flow } from '../../model/flow';
import { AloftError, ErrorCode } from '../../model/errors';
import type { FlowRepository } from '../../ports';

export interface FlowCache {
  get(namespace: string, id: string, revision?: number): Promise<Flow>;
}

export function createFlowCache(repo: FlowRepository, maxEntries = 2000): FlowCache {
  const cache = new Map<string, Flow>();
  return {
    async get(namespace, id, revision) {
      const key = `${namespace}\u0000${id}\u0000${revision ?? ''}`;
      const hit = revision === undefined ? undefined : cache.get(key);
      if (hit) return hit;
      const stored = await repo.get(namespace, id, revision);
      if (!stored) {
        throw new AloftError(ErrorCode.NOT_FOUND, `flow ${namespace}.${id}${revision ? ` revision ${revision}` : ''} not found`, { flow: `${namespace}.${id}` });
      }
      const flow = { ...stored.flow, revision: stored.revision };
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(`${namespace}\u0000${id}\u0000${stored.revision}`, flow);
      return flow;
    },
  };
}
