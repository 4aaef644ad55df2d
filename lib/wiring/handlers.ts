// The handler of every entry point of lib/wiring/manifest.ts. functions/*.ts register them with
// functions-framework under literal names (deploy tooling and test/unit/infra read those); the
// emulated cloud (lib/dev) registers the same handlers itself, so nothing in lib/ imports functions/.
// Building this map does nothing: each handler builds the runtime on its first invocation.
import type { ServerResponse } from 'node:http';
import type { ApiRequest } from '../api/http';
import type { PluginGroup } from '../model/catalog';
import { outsideDomain } from '../runtime/cloud/outside-domain';
import { quietRetry } from '../runtime/cloud/retry';
import { cloud } from './cloud-entry';
import { FUNCTIONS, TriggerKind } from './manifest';

export type HttpHandler = (req: ApiRequest, res: ServerResponse) => Promise<void>;
export type EventHandler = (event: unknown) => Promise<void>;

/** A thrown error answers 500, so the event is delivered again; the runtime throws only retryable ones. */
const redelivered = (work: (event: unknown) => Promise<unknown>): EventHandler => async (event) => {
  try {
    await work(event);
  } catch (err) {
    throw quietRetry(err);
  }
};

/**
 * `ownCode`: the group runs only our code (core tasks), so it leaves functions-framework's domain for
 * speed (lib/runtime/cloud/outside-domain.ts). Groups that run drivers and client libraries keep the
 * domain, which turns an error one of them throws from a callback into a 500 for that request rather
 * than a crash of every request the instance is serving.
 */
const worker = (group: PluginGroup, ownCode = false): EventHandler => redelivered((event) =>
  (ownCode ? outsideDomain(() => cloud().worker(group, event)) : cloud().worker(group, event)));

export const HTTP_HANDLERS = {
  api: (req, res) => outsideDomain(() => cloud().api(req, res)),
  scheduler: (req, res) => outsideDomain(() => cloud().scheduler(req, res)),
} as const satisfies Record<string, HttpHandler>;

export const EVENT_HANDLERS = {
  executor: redelivered((event) => outsideDomain(() => cloud().executor(event))),
  pubsubTrigger: redelivered((event) => outsideDomain(() => cloud().pubsubTrigger(event))),
  workerCore: worker('core', true),
  workerScripts: worker('scripts'),
  workerJdbc: worker('jdbc'),
  workerKafka: worker('kafka'),
  workerSinger: worker('singer'),
  workerGcp: worker('gcp'),
  workerSerdes: worker('serdes'),
} as const satisfies Record<string, EventHandler>;

export type Registration =
  | { entryPoint: string; kind: 'http'; handler: HttpHandler }
  | { entryPoint: string; kind: 'cloudEvent'; handler: EventHandler };

/** Every manifest entry point with its handler; throws when the manifest names one this map lacks. */
export function registrations(): Registration[] {
  return FUNCTIONS.map((f): Registration => {
    if (f.trigger === TriggerKind.http) {
      const handler = (HTTP_HANDLERS as Partial<Record<string, HttpHandler>>)[f.entryPoint];
      if (handler) return { entryPoint: f.entryPoint, kind: 'http', handler };
    } else {
      const handler = (EVENT_HANDLERS as Partial<Record<string, EventHandler>>)[f.entryPoint];
      if (handler) return { entryPoint: f.entryPoint, kind: 'cloudEvent', handler };
    }
    throw new Error(`lib/wiring/handlers.ts has no ${f.trigger} handler for entry point ${f.entryPoint}`);
  });
}
