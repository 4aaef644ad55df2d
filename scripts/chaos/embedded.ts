// Chaos on the durable embedded runtime: `aloft server` on a data directory is SIGKILLed at random
// moments while executions are started through its API, and started again on the same directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHAOS_NAMESPACE, chaosFlows } from './flows';
import { allExecutions, api, killServerProcess, startServerProcess, type ServerProcess } from './server-process';
import { goalsMet, seeded, tally, type ChaosTally } from './tally';

export interface ChaosOptions {
  executions: number;
  kills: number;
  seed: number;
  /** A folder of the run's own (data, flows, markers); the caller removes it. */
  dir: string;
  /** How long the run waits for the last executions to end after the last restart. */
  settleSeconds: number;
}

export interface ChaosReport extends ChaosTally {
  target: 'embedded' | 'cloud';
  kills: number;
  seconds: number;
  goalsMet: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ACTIVE = 'CREATED,RUNNING,PAUSED,RESTARTED,KILLING,QUEUED,RETRYING';

/**
 * Starts executions in 8 lanes against whatever `url()` answers now, until `until` were acknowledged.
 * A start that fails (the server was just killed) is not counted; its lane tries again shortly.
 */
export async function submitAll(url: () => string, path: string, acknowledged: Set<string>, until: number): Promise<void> {
  const lanes = Array.from({ length: 8 }, async () => {
    while (acknowledged.size < until) {
      try {
        const e = await api(url(), path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        acknowledged.add(e.id);
      } catch {
        await sleep(200);
      }
    }
  });
  await Promise.all(lanes);
}

/** Waits until no execution of the namespace is active, or the deadline; true when none is. */
export async function quiet(url: string, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    const page = await api(url, `/api/v1/executions/search?namespace=${CHAOS_NAMESPACE}&size=1&state=${ACTIVE}`).catch(() => undefined);
    if (page && page.results.length === 0) return true;
    await sleep(500);
  }
  return false;
}

export async function embeddedChaos(o: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const random = seeded(o.seed);
  const data = join(o.dir, 'data');
  const flows = join(o.dir, 'flows');
  const markers = join(o.dir, 'markers');
  for (const d of [flows, markers]) mkdirSync(d, { recursive: true });
  for (const [name, yaml] of Object.entries(chaosFlows(markers))) writeFileSync(join(flows, name), yaml);
  // Lost attempts are found after 5 s without a heartbeat, so the run does not wait out the default.
  const env = { ALOFT_HEARTBEAT_MS: '1000', ALOFT_LOST_AFTER_MS: '5000' };
  let server: ServerProcess = await startServerProcess(data, flows, env);
  const acknowledged = new Set<string>();
  try {
    const submitting = submitAll(() => server.url, `/api/v1/executions/${CHAOS_NAMESPACE}/chaos`, acknowledged, o.executions);
    for (let k = 0; k < o.kills; k++) {
      await sleep(1000 + Math.floor(random() * 3000));
      await killServerProcess(server);
      server = await startServerProcess(data, flows, env);
    }
    await submitting;
    await quiet(server.url, Date.now() + o.settleSeconds * 1000);
    const counted = tally(await allExecutions(server.url, CHAOS_NAMESPACE), acknowledged, markers);
    server.child.kill('SIGTERM');
    const code = await server.exited;
    if (code !== 0) counted.examples.push(`the last server exited with ${code} on SIGTERM`);
    return { target: 'embedded', kills: o.kills, ...counted, seconds: Math.round((Date.now() - started) / 1000), goalsMet: goalsMet(counted) && code === 0 };
  } finally {
    await killServerProcess(server);
  }
}
