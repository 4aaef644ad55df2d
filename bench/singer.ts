// bench:singer — the fixture tap (test/fixtures/singer) emits RECORDS RECORD messages (default
// 1,000,000, one stream) into the fixture JSONL target through Aloft (GenericTap raw -> GenericTarget,
// runner PROCESS, embedded runtime, a fresh data directory), and the same tap piped into the same
// target in a shell, in the same invocation. Prints one JSON line.
// - The shell pipe's virtualenv is made before its clock starts (timed apart: virtualenvSeconds).
// - Aloft runs the flow twice. The first execution finds the virtualenv cache empty and builds the
//   tap's and the target's virtualenvs (coldCache); the second reuses them, as every later execution
//   of a deployed flow does (aloft; `ratio` is shell seconds over this execution's seconds).
// - Each execution's seconds run from its creation to its end: discovery, the tap, checking and
//   storing its raw output, handing it to the target, the target, and the state saved.
// - CPU seconds: this process (Node) and its waited-for children (the Python processes), per phase.
// Not a test: figures go into notes, never into assertions.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRuntime } from '../lib/runtime/embedded/runtime';

const RECORDS = Number(process.env.RECORDS ?? 1_000_000);
// npm runs scripts from the package root (run-ts compiles this file elsewhere, so not __dirname).
const FIXTURES = join(process.cwd(), 'test/fixtures/singer');

const flow = (tap: string, target: string, out: string): string => `id: bench-singer
namespace: bench
tasks:
  - id: tap
    type: io.kestra.plugin.singer.taps.GenericTap
    pipPackages: ["${tap}"]
    command: tap-fixture
    features: [CATALOG, DISCOVER]
    configs: { record_count: ${RECORDS} }
    streamsConfigurations:
      - stream: commits
        selected: true
  - id: target
    type: io.kestra.plugin.singer.targets.GenericTarget
    pipPackages: ["${target}"]
    command: target-fixture
    from: "{{ outputs.tap.raw }}"
    configs: { destination_path: "${out}" }
`;

const seconds = (from: string | undefined, to: string | undefined): number => (Date.parse(to ?? '') - Date.parse(from ?? '')) / 1000;
const round = (n: number): number => Math.round(n * 10) / 10;

/** CPU seconds so far: this process, and its children that ended and were waited for (/proc/self/stat, 100 ticks a second). */
function cpu(): { node: number; children: number } {
  const u = process.cpuUsage();
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { node: (u.user + u.system) / 1e6, children: (Number(f[13]) + Number(f[14])) / 100 };
}
const cpuSince = (a: { node: number; children: number }): { node: number; children: number } => {
  const b = cpu();
  return { node: round(b.node - a.node), children: round(b.children - a.children) };
};

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'aloft-bench-singer-'));
  try {
    const [tap, target] = execFileSync('python3', [join(FIXTURES, 'build_wheels.py'), root], { encoding: 'utf8' }).trim().split('\n');
    const env = { ...process.env, PIP_NO_INDEX: '1' };

    // The shell pipe, in its own virtualenv, with the same catalog (commits only).
    const venv = join(root, 'venv');
    const setupStart = Date.now();
    execFileSync('python3', ['-m', 'venv', venv]);
    execFileSync(join(venv, 'bin/pip'), ['install', '-q', tap, target], { env });
    const setupSeconds = (Date.now() - setupStart) / 1000;
    writeFileSync(join(root, 'tap.json'), JSON.stringify({ record_count: RECORDS }));
    writeFileSync(join(root, 'target.json'), JSON.stringify({ destination_path: join(root, 'shell-out') }));
    const discovered = JSON.parse(execFileSync(join(venv, 'bin/tap-fixture'), ['--config', join(root, 'tap.json'), '--discover'], { encoding: 'utf8' }));
    for (const s of discovered.streams) s.metadata[0].metadata.selected = s.stream === 'commits';
    writeFileSync(join(root, 'catalog.json'), JSON.stringify(discovered));
    const shellStart = Date.now();
    const shellCpu = cpu();
    execFileSync('/bin/sh', ['-c', `"${venv}/bin/tap-fixture" --config tap.json --catalog catalog.json | "${venv}/bin/target-fixture" --config target.json > /dev/null`], { cwd: root, env, stdio: ['ignore', 'ignore', 'ignore'] });
    const shellSeconds = (Date.now() - shellStart) / 1000;
    const shellCpuSeconds = cpuSince(shellCpu);

    const runtime = new LocalRuntime({ env: { ALOFT_DATA_DIR: join(root, 'data'), ALOFT_SINGER_JSON_LOGGER: '', PIP_NO_INDEX: '1', PATH: process.env.PATH } });
    try {
      const { flow: deployed } = await runtime.deploy(flow(tap, target, join(root, 'aloft-out')));
      // RSS sampled every second while the flow runs: "flat" means the last samples are not above the first ones.
      const execute = async (): Promise<{ seconds: number; taskSeconds: Record<string, number>; cpuSeconds: { node: number; children: number }; rss: number[] }> => {
        const rss: number[] = [];
        const sampler = setInterval(() => rss.push(process.memoryUsage.rss()), 1000);
        const before = cpu();
        const started = await runtime.startExecution({ flow: deployed });
        const done = await runtime.waitForEnd(started.id).finally(() => clearInterval(sampler));
        if (done.state.current !== 'SUCCESS') throw new Error(`the flow ended ${done.state.current}: ${done.taskRunList.map((r) => r.error?.message).filter(Boolean).join('; ')}`);
        return {
          seconds: seconds(done.state.histories[0]?.date, done.state.histories.at(-1)?.date),
          taskSeconds: Object.fromEntries(done.taskRunList.map((r) => [r.taskId, round(seconds(r.state.histories[0]?.date, r.state.histories.at(-1)?.date))])),
          cpuSeconds: cpuSince(before),
          rss,
        };
      };
      const cold = await execute();
      const warm = await execute();
      const mb = (b: number | undefined): number => round((b ?? 0) / 1024 / 1024);
      const quarter = Math.max(1, Math.floor(warm.rss.length / 4));
      console.log(JSON.stringify({
        records: RECORDS,
        loadAverage: loadavg().map((l) => round(l)),
        shell: { seconds: round(shellSeconds), recordsPerSecond: Math.round(RECORDS / shellSeconds), cpuSeconds: shellCpuSeconds },
        // One virtualenv with pip install, timed here for the shell pipe.
        virtualenvSeconds: round(setupSeconds),
        aloft: { seconds: round(warm.seconds), recordsPerSecond: Math.round(RECORDS / warm.seconds), taskSeconds: warm.taskSeconds, cpuSeconds: warm.cpuSeconds },
        ratio: Math.round((shellSeconds / warm.seconds) * 100) / 100,
        coldCache: { seconds: round(cold.seconds), taskSeconds: cold.taskSeconds, cpuSeconds: cold.cpuSeconds, ratio: Math.round((shellSeconds / cold.seconds) * 100) / 100 },
        peakRssMb: round(process.resourceUsage().maxRSS / 1024),
        rssMb: { firstQuarterMax: mb(Math.max(...warm.rss.slice(0, quarter))), lastQuarterMax: mb(Math.max(...warm.rss.slice(-quarter))), samples: warm.rss.length },
      }));
    } finally {
      await runtime.stop();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
