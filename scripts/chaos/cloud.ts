// Chaos on the emulated cloud: the executor and the workers run in their own processes and are
// SIGKILLed at random and started again, while one delivery in ten (Firestore events and worker
// messages) reaches its function twice.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulatedCloud } from '../../lib/dev/cloud';
import { activity, submitAll, type ChaosOptions, type ChaosReport } from './embedded';
import { CHAOS_NAMESPACE, chaosFlows } from './flows';
import { allExecutions, api } from './server-process';
import { settle } from './settle';
import { goalsMet, keepRecords, seeded, tally } from './tally';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** The functions killed at random: the executor and the workers of the flows' task types. */
const VICTIMS = ['executor', 'worker-scripts', 'worker-core'] as const;

export async function cloudChaos(o: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const random = seeded(o.seed);
  const markers = join(o.dir, 'markers');
  mkdirSync(markers, { recursive: true });
  // The in-process functions' warnings and errors (the scheduler's lost attempts among them) stay in the
  // run's folder beside the isolated functions' logs, to explain a failure when the folder is kept.
  const logFile = join(o.dir, 'cloud', 'in-process.log');
  let lostAttempts = 0;
  const suspected = new Set<string>();
  const logSink = (line: Record<string, unknown>): void => {
    if (line.severity !== 'WARNING' && line.severity !== 'ERROR') return;
    appendFileSync(logFile, `${JSON.stringify(line)}\n`);
    // The scheduler's word for each attempt it suspected, and each it declared lost (core/recovery.ts).
    const said = /^scheduler: attempt (\d+) of task run (\S+) is (suspected lost|lost)/.exec(String(line.message));
    if (said?.[3] === 'lost') lostAttempts++;
    else if (said) suspected.add(`${said[2]}/${said[1]}`);
  };
  mkdirSync(join(o.dir, 'cloud'), { recursive: true });
  const cloud = await startEmulatedCloud({
    dir: join(o.dir, 'cloud'), isolate: VICTIMS, duplicateEvery: 10, logSink, schedulerIntervalMs: 1000,
    pushPolicy: { minimumBackoff: '1s', maximumBackoff: '5s', maxDeliveryAttempts: 10 },
    // Fewer requests at once than the platform's defaults (64 executor, 256 per push subscription): at 1,000
    // executions on a loaded 2-core machine, 256 scripts at once, each beating every second and looking for
    // a stop every 2 s, kept the Firestore emulator so busy that its requests passed their 60 s deadline
    // and were delivered again, adding more (18 task runs a minute after 10 minutes). Work waits in Pub/Sub.
    deliveryConcurrency: { executor: 16, push: 32 },
    // Recovery in seconds: a killed executor's lease, a killed worker's attempts, unpublished effects.
    env: { ALOFT_LEASE_MS: '4000', ALOFT_SWEEP_AFTER_MS: '3000', ALOFT_HEARTBEAT_MS: '1000', ALOFT_LOST_AFTER_MS: '5000', ALOFT_OUTBOX_REPUBLISH_MS: '5000' },
  });
  try {
    for (const yaml of Object.values(chaosFlows(markers)).reverse()) {
      await api(cloud.apiUrl, '/api/v1/flows', { method: 'POST', headers: { 'content-type': 'application/x-yaml' }, body: yaml });
    }
    const acknowledged = new Set<string>();
    const submitting = submitAll(() => cloud.apiUrl, `/api/v1/executions/${CHAOS_NAMESPACE}/chaos`, acknowledged, o.executions);
    for (let k = 0; k < o.kills; k++) {
      await sleep(1000 + Math.floor(random() * 3000));
      const victim = VICTIMS[Math.floor(random() * VICTIMS.length)];
      await cloud.kill(victim);
      await sleep(500 + Math.floor(random() * 1500));
      await cloud.restart(victim);
    }
    await submitting;
    const settled = await settle(() => activity(cloud.apiUrl), o.settle);
    const counted = keepRecords(tally(await allExecutions(cloud.apiUrl, CHAOS_NAMESPACE), acknowledged, markers), o.dir);
    return { target: 'cloud', kills: o.kills, ...counted, suspectedAttempts: suspected.size, lostAttempts, settled, seconds: Math.round((Date.now() - started) / 1000), goalsMet: goalsMet(counted) };
  } finally {
    await cloud.stop();
  }
}
