// Cold-start cost of each function bundle: builds build/functions (unless --no-build), then requires each
// bundle in fresh `node` processes and prints one JSON line per function, then a summary line.
//   load_ms    median over --runs fresh processes of the wall time to require index.js, measured inside
//              that process (externals such as functions-framework load from the project's node_modules)
//   cpu_ms     median CPU time (user + system) of the same require: steadier than wall time on a busy machine
//   bundle_mb  size of the bundled code (the zip minus package.json), in 10^6 bytes
// Targets (issue 4): load_ms <= 300 and bundle_mb <= 5 for bundles without database or Kafka drivers.
// Not a timed test: on a shared machine the numbers move with the load; min_load_ms shows the floor.
// Runs go round-robin over the functions, so a burst of load spreads over all of them.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

interface Built { name: string; entryPoint: string; dir: string; bundleBytes: number; zipBytes: number; external: string[] }

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: 'build/functions' },
    runs: { type: 'string', default: '7' },
    'no-build': { type: 'boolean', default: false },
    entries: { type: 'string' },
  },
});

const ROOT = process.cwd();
const runs = Math.max(1, Number(args.runs));
const outDir = resolve(ROOT, args.out ?? 'build/functions');

// The child reports its own clock, so process start-up is not counted, only loading the module.
// It then checks that the bundle registered its entry point in the functions-framework the runtime uses.
const PROBE = "const{performance}=require('node:perf_hooks');const c=process.cpuUsage();const t=performance.now();require(process.argv[1]);"
  + "const w=performance.now()-t;const u=process.cpuUsage(c);"
  + "if(typeof require('@google-cloud/functions-framework/testing').getFunction(process.argv[2])!=='function'){console.error('entry point '+process.argv[2]+' is not registered');process.exit(3);}"
  + "process.stdout.write(JSON.stringify([w,(u.user+u.system)/1000]));";

function build(): void {
  const extra = args.entries ? ['--entries', args.entries] : [];
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build-functions.mjs'), '--out', outDir, ...extra], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`build:functions failed (exit ${r.status})`);
}

function loadOnce(file: string, entryPoint: string): { wall: number; cpu: number } {
  const r = spawnSync(process.execPath, ['-e', PROBE, file, entryPoint], {
    encoding: 'utf8',
    env: { ...process.env, METADATA_SERVER_DETECTION: 'none', NODE_ENV: 'production' },
  });
  if (r.status !== 0) throw new Error(`loading ${file} failed:\n${r.stderr}`);
  const [wall, cpu] = JSON.parse(r.stdout) as [number, number];
  return { wall, cpu };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x: number, digits: number): number => Number(x.toFixed(digits));

function main(): void {
  if (!args['no-build']) build();
  const { functions } = JSON.parse(readFileSync(join(outDir, 'build.json'), 'utf8')) as { functions: Built[] };
  const samples = functions.map(() => [] as { wall: number; cpu: number }[]);
  for (let run = 0; run < runs; run++) {
    functions.forEach((fn, i) => samples[i].push(loadOnce(join(ROOT, fn.dir, 'index.js'), fn.entryPoint)));
  }
  let maxLoad = 0;
  let maxBundle = 0;
  const rows = functions.map((fn, i) => {
    const load = median(samples[i].map((x) => x.wall));
    const bundle = fn.bundleBytes / 1e6;
    maxLoad = Math.max(maxLoad, load);
    maxBundle = Math.max(maxBundle, bundle);
    return {
      function: fn.name, load_ms: round(load, 1), bundle_mb: round(bundle, 3),
      cpu_ms: round(median(samples[i].map((x) => x.cpu)), 1), min_load_ms: round(Math.min(...samples[i].map((x) => x.wall)), 1),
      zip_mb: round(fn.zipBytes / 1e6, 3), external: fn.external, runs,
    };
  });
  // One JSON line, as every bench prints: the maxima first, then each function.
  console.log(JSON.stringify({ max_load_ms: round(maxLoad, 1), max_bundle_mb: round(maxBundle, 3), functions: rows }));
}

main();
