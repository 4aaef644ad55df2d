// Chaos on the durable embedded runtime: `aloft server` on a data directory is SIGKILLed at random
// moments while executions are started through its API, and started again on the same directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHAOS_NAMESPACE, chaosFlows } from './flows';
import { allExecutions, api, killServerProcess, startServerProcess, type ServerProcess } from './server-process';
import { settle, type Activity, type SettleOptions, type Settled } from './settle';
import { goalsMet, keepRecords, seeded, tally, type ChaosTally } from './tally';

export interface ChaosOptions {
  executions: number;
  kills: number;
  seed: number;
  /** A folder of the run's own (data, flows, markers, logs, failures.json); the caller removes it, unless kept. */
  dir: string;
  /** After the last restart, how the run waits for its last executions (scripts/chaos/settle.ts). */
  settle: SettleOptions;
}

export interface ChaosReport extends ChaosTally {
  target: 'embedded' | 'cloud';
  kills: number;
  /**
   * Cloud only, from the scheduler's log lines: attempts it suspected (no heartbeat for the limit), and
   * those it then declared lost (the same heartbeat a period later). Suspected and not lost: slow, alive.
   * A lost claim whose result was already in changes nothing, but counts (its worker died before finishing it).
   */
  suspectedAttempts?: number;
  lostAttempts?: number;
  seconds: number;
  /** How the wait for the last executions ended, and how long it took. */
  settled: Settled;
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

/**
 * The active executions of the chaos namespace, subflows included, with a signature of where each
 * stands (its state, and each task run's state and attempts); undefined when the API did not answer.
 */
export async function activity(url: string): Promise<Activity | undefined> {
  const parts: string[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await api(url, `/api/v1/executions/search?namespace=${CHAOS_NAMESPACE}&size=500&state=${ACTIVE}${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
      for (const e of page.results) {
        parts.push(`${e.id}:${e.state.current}:${(e.taskRunList ?? []).map((r: any) => `${r.id}=${r.state.current}/${r.attempts?.length ?? 0}`).join(',')}`);
      }
      token = page.nextPageToken;
    } while (token);
    return { active: parts.length, signature: parts.sort().join(';') };
  } catch {
    return undefined;
  }
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
    const settled = await settle(() => activity(server.url), o.settle);
    const counted = keepRecords(tally(await allExecutions(server.url, CHAOS_NAMESPACE), acknowledged, markers), o.dir);
    server.child.kill('SIGTERM');
    const code = await server.exited;
    if (code !== 0) counted.examples.push(`the last server exited with ${code} on SIGTERM`);
    return { target: 'embedded', kills: o.kills, ...counted, settled, seconds: Math.round((Date.now() - started) / 1000), goalsMet: goalsMet(counted) && code === 0 };
  } finally {
    await killServerProcess(server);
  }
}
