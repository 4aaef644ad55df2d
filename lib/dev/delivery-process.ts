// The emulated cloud's event delivery (lib/dev/delivery.ts) runs in a child process of its own,
// as Eventarc and Pub/Sub push are not the functions' machines: on the functions' event loop, a
// streaming pull, its acknowledgements and two HTTP hops per task took CPU from the functions and
// counted as theirs in bench:cloud. The parent plans the deliveries; lib/dev/delivery-main.ts runs them.
import { join } from 'node:path';
import { z } from 'zod';
import { FUNCTION_NODE_OPTIONS } from '../wiring/manifest';
import type { DeliveryLog } from './delivery';
import { projectRoot, spawnService, waitReady, type Service } from './processes';

export const RelayPlan = z.object({
  /** 127.0.0.1 port the Firestore emulator pushes its trigger events to. */
  port: z.number().int().positive(),
  /** The executor function's URL. */
  target: z.string().url(),
  concurrency: z.number().int().positive().optional(),
  duplicateEvery: z.number().int().positive().optional(),
});
export type RelayPlan = z.infer<typeof RelayPlan>;

export const PushPlan = z.object({
  host: z.string().min(1),
  projectId: z.string().min(1),
  subscription: z.string().min(1),
  pushEndpoint: z.string().url(),
  concurrency: z.number().int().positive().optional(),
  minimumBackoffMs: z.number().int().nonnegative(),
  maximumBackoffMs: z.number().int().nonnegative(),
  duplicateEvery: z.number().int().positive().optional(),
});
export type PushPlan = z.infer<typeof PushPlan>;

export const DeliveryPlan = z.object({ relay: RelayPlan.optional(), pushes: z.array(PushPlan) });
export type DeliveryPlan = z.infer<typeof DeliveryPlan>;

/** What the child prints on stdout: one JSON object per line. */
export const DeliveryLine = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready') }),
  z.object({ kind: z.literal('log'), severity: z.enum(['WARNING', 'ERROR']), message: z.string() }),
]);
export type DeliveryLine = z.infer<typeof DeliveryLine>;

export const DELIVERY_PLAN_VAR = 'ALOFT_DEV_DELIVERY';

/** Reads the plan the parent put in the child's env; the error says which field is wrong. */
export function parseDeliveryPlan(text: string | undefined): DeliveryPlan {
  if (!text) throw new Error(`${DELIVERY_PLAN_VAR} is not set`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${DELIVERY_PLAN_VAR} is not JSON: ${(err as Error).message}`);
  }
  const parsed = DeliveryPlan.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${DELIVERY_PLAN_VAR}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

export interface DeliveryProcess {
  /** The child delivering now (a new one after a restart). */
  readonly pid: number;
  /** Stops the child by its pid: it finishes the deliveries in flight and flushes their acknowledgements. */
  stop(graceMs?: number): Promise<void>;
}

/** Restarts after the child died, before giving up (each logged as an ERROR). */
const MAX_RESTARTS = 3;

/**
 * Starts the delivery child and waits until it delivers; its log lines go to `log`, its output to
 * `dir`/delivery.log. A child that dies is reported and started again: without it no event reaches
 * the functions, and executions would wait silently.
 */
export async function startDeliveryProcess(plan: DeliveryPlan, dir: string, log: DeliveryLog, timeoutS = 120): Promise<DeliveryProcess> {
  let current = await spawnDelivery(plan, dir, log, timeoutS);
  let stopping = false;
  let restarts = 0;
  const watch = (service: Service): void => {
    void service.exited.then(async (how) => {
      if (stopping) return;
      const where = `see ${service.logFile}`;
      if (restarts >= MAX_RESTARTS) {
        log('ERROR', `the event delivery process exited (${how}) ${restarts + 1} times; no event reaches the functions any more (${where})`);
        return;
      }
      restarts++;
      log('ERROR', `the event delivery process exited (${how}); starting it again (${where})`);
      try {
        current = await spawnDelivery(plan, dir, log, timeoutS);
        if (stopping) await current.stop();
        else watch(current);
      } catch (err) {
        log('ERROR', `the event delivery process could not be started again: ${(err as Error).message}`);
      }
    });
  };
  watch(current);
  return {
    get pid() { return current.pid; },
    async stop(graceMs) {
      stopping = true;
      await current.stop(graceMs);
    },
  };
}

async function spawnDelivery(plan: DeliveryPlan, dir: string, log: DeliveryLog, timeoutS: number): Promise<Service> {
  const root = projectRoot();
  let ready = false;
  const service = spawnService('event delivery', process.execPath, [join(root, 'scripts/run-ts.mjs'), join(root, 'lib/dev/delivery-main.ts')], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: FUNCTION_NODE_OPTIONS, [DELIVERY_PLAN_VAR]: JSON.stringify(plan) },
    logFile: join(dir, 'delivery.log'),
    onLine: (text) => {
      let line: DeliveryLine;
      try {
        line = DeliveryLine.parse(JSON.parse(text));
      } catch {
        return; // Not ours (a library's warning): it is in delivery.log.
      }
      if (line.kind === 'ready') ready = true;
      else log(line.severity, line.message);
    },
  });
  try {
    await waitReady(service, async () => ready, timeoutS * 1000);
  } catch (err) {
    await service.stop().catch(() => undefined);
    throw err;
  }
  return service;
}
