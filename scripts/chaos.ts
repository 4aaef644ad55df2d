// `npm run chaos`: executions mixing retries, a subflow, parallel branches and a pause, while the
// runtime is killed at random: `aloft server` on a data directory (SIGKILL, then a restart on the same
// directory), then the emulated cloud (executor and workers killed and restarted, 10% of deliveries
// duplicated). Prints one JSON line per target; exits 1 when an execution is lost or stuck, or an
// attempt that succeeded ran twice. Options: --target embedded|cloud|both (both), --executions N
// (1000), --kills K (5), --seed S (1). After the last kill, the run waits for its last executions as
// long as they move (an execution or a task run changes state): it gives up once nothing moved for
// --stall S (60 s), or after --settle T (1800 s) in any case; `settled.outcome` in the report says which
// ('stalled': what is still active is stuck; 'bounded': it was still moving, only slow).
// The report keeps the records of 3 executions that did not end SUCCESS; --keep DIR keeps the run's
// folder instead of removing it: every such record (failures.json), the functions' and emulators' logs.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloudChaos } from './chaos/cloud';
import { embeddedChaos, type ChaosOptions, type ChaosReport } from './chaos/embedded';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const RUNS: Record<string, (o: ChaosOptions) => Promise<ChaosReport>> = { embedded: embeddedChaos, cloud: cloudChaos };

// A promise rejected with nobody waiting on it ends node at once, before the report is printed: once
// (the Firestore client terminated under a query still running as the emulated cloud stopped, after a
// 40-minute run). Such a rejection is said on stderr and fails the run, and the report still prints.
let unhandled = 0;
process.on('unhandledRejection', (err) => {
  unhandled++;
  process.stderr.write(`chaos: a promise was rejected with nobody waiting on it: ${(err as Error)?.message ?? String(err)}\n`);
});

async function main(): Promise<number> {
  const target = arg('target', 'both');
  const targets = target === 'both' ? ['embedded', 'cloud'] : [target];
  if (!targets.every((t) => t in RUNS)) {
    process.stderr.write(`--target must be embedded, cloud or both, not ${target}\n`);
    return 2;
  }
  let failed = false;
  for (const t of targets) {
    const kept = process.argv.includes('--keep') ? arg('keep', '') : '';
    const dir = kept ? join(kept, t) : mkdtempSync(join(tmpdir(), 'aloft-chaos-'));
    if (kept) mkdirSync(dir, { recursive: true });
    try {
      const report = await RUNS[t]({
        executions: Number(arg('executions', '1000')), kills: Number(arg('kills', '5')), seed: Number(arg('seed', '1')),
        settle: { stallSeconds: Number(arg('stall', '60')), maxSeconds: Number(arg('settle', '1800')) }, dir,
      });
      process.stdout.write(`${JSON.stringify({ bench: 'chaos', ...report })}\n`);
      if (!report.goalsMet) failed = true;
    } finally {
      if (kept) process.stderr.write(`chaos: the ${t} run's folder is kept in ${dir}\n`);
      else rmSync(dir, { recursive: true, force: true });
    }
  }
  return failed || unhandled > 0 ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => { process.stderr.write(`chaos: ${(err as Error).message}\n`); process.exit(2); });
