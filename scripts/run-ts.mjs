// Runs a TypeScript entry (bench scripts): esbuild bundles our code, node_modules stay external.
// The bundle goes under node_modules/.cache so that its bare imports resolve from the project.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...rest] = process.argv.slice(2);
const dir = resolve('node_modules/.cache/aloft-run');
mkdirSync(dir, { recursive: true });
// A bundle is removed at exit; one whose process was killed is removed by the next run.
for (const name of readdirSync(dir)) {
  const pid = Number(/-(\d+)\.cjs$/.exec(name)?.[1]);
  if (pid && pid !== process.pid && !alive(pid)) rmSync(join(dir, name), { force: true });
}
const out = join(dir, `${basename(entry, '.ts')}-${process.pid}.cjs`);
// Node reads a source map only under --enable-source-maps; otherwise an inline map is a second copy
// of every source in this process's heap, which the benchmarks run here would measure too.
const maps = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('--enable-source-maps'));
await build({ entryPoints: [resolve(entry)], outfile: out, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', sourcemap: maps ? 'inline' : false, logLevel: 'warning' });
process.on('exit', () => rmSync(out, { force: true }));
process.argv = [process.argv[0], out, ...rest];
await import(pathToFileURL(out).href);

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}
