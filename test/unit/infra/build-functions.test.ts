// scripts/build-functions.mjs on stub entry points in a temporary folder (the real functions/ may not exist yet).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FUNCTIONS } from '../../../lib/wiring/manifest';

const ROOT = join(__dirname, '../../..');

function runBuild(entries: string, out: string, ...extra: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'scripts/build-functions.mjs'), '--entries', entries, '--out', out, ...extra], { encoding: 'utf8', cwd: ROOT });
}

/** Names of the files in a zip, read from its central directory. */
function zipEntries(file: string): string[] {
  const buf = readFileSync(file);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let n = buf.readUInt16LE(eocd + 10); n > 0; n--) {
    const nameLength = buf.readUInt16LE(at + 28);
    names.push(buf.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return names;
}

describe('build-functions', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'aloft-build-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function stubEntries(): string {
    const entries = join(dir, 'functions');
    mkdirSync(join(dir, 'node_modules/fake-native'), { recursive: true });
    // A package with a binding.gyp stands for a native driver: it must stay out of the bundle.
    writeFileSync(join(dir, 'node_modules/fake-native/package.json'), JSON.stringify({ name: 'fake-native', version: '1.2.3', main: 'index.js' }));
    writeFileSync(join(dir, 'node_modules/fake-native/binding.gyp'), '{}');
    writeFileSync(join(dir, 'node_modules/fake-native/index.js'), 'module.exports = 1;');
    mkdirSync(entries);
    const reg = "const ff = { http: (n: string, f: unknown) => f, cloudEvent: (n: string, f: unknown) => f };\n";
    writeFileSync(join(entries, 'api.ts'), `${reg}import { z } from 'zod';\nff.http('api', () => z.string());\nff.http('scheduler', () => 1);\n`);
    writeFileSync(join(entries, 'worker.ts'), `${reg}import native from 'fake-native';\n${FUNCTIONS.filter((f) => f.trigger !== 'http').map((f) => `ff.cloudEvent('${f.entryPoint}', () => native);`).join('\n')}\n`);
    return entries;
  }

  it('zips each function with its bundle and a package.json naming only what stayed external', () => {
    const out = join(dir, 'out');
    const r = runBuild(stubEntries(), out, '--only', 'api,worker-jdbc');
    expect(r.stderr).not.toMatch(/failed/);
    expect(r.status).toBe(0);
    // Besides its bundle, the api function carries the built web UI it serves at /ui.
    expect(zipEntries(join(out, 'api.zip')).filter((f) => !f.startsWith('ui/'))).toEqual(['index.js', 'package.json']);
    expect(zipEntries(join(out, 'api.zip'))).toEqual(expect.arrayContaining(['ui/index.html', expect.stringMatching(/^ui\/assets\/index-.*\.js$/)]));
    expect(zipEntries(join(out, 'worker-jdbc.zip'))).toEqual(['index.js', 'package.json']);
    expect(JSON.parse(readFileSync(join(out, 'api/package.json'), 'utf8'))).toEqual({ name: 'aloft-api', private: true, main: 'index.js', engines: { node: '>=22' }, dependencies: {} });
    expect(JSON.parse(readFileSync(join(out, 'worker-jdbc/package.json'), 'utf8')).dependencies).toEqual({ 'fake-native': '1.2.3' });
    expect(readFileSync(join(out, 'worker-jdbc/index.js'), 'utf8')).toMatch(/require\("fake-native"\)/);
    const built = JSON.parse(readFileSync(join(out, 'build.json'), 'utf8')).functions;
    expect(built.map((b: { name: string }) => b.name)).toEqual(['api', 'worker-jdbc']);
  });

  it('leaves plugin modules of another group, loaded on first use, out of every function but that group\'s worker', () => {
    const entries = stubEntries();
    mkdirSync(join(dir, 'lib/plugins/jdbc'), { recursive: true });
    writeFileSync(join(dir, 'lib/plugins/jdbc/driver.ts'), "export const marker = 'JDBC_DRIVER_CODE';\n");
    writeFileSync(join(entries, 'api.ts'), `${readFileSync(join(entries, 'api.ts'), 'utf8')}export const load = () => import('../lib/plugins/jdbc/driver');\n`);
    writeFileSync(join(entries, 'worker.ts'), `${readFileSync(join(entries, 'worker.ts'), 'utf8')}export const load = () => import('../lib/plugins/jdbc/driver');\n`);
    const out = join(dir, 'out');
    expect(runBuild(entries, out, '--only', 'api,worker-jdbc,worker-core').status).toBe(0);
    expect(readFileSync(join(out, 'worker-jdbc/index.js'), 'utf8')).toContain('JDBC_DRIVER_CODE');
    for (const fn of ['api', 'worker-core']) {
      const code = readFileSync(join(out, `${fn}/index.js`), 'utf8');
      expect(code).not.toContain('JDBC_DRIVER_CODE');
      expect(code).toContain(`is deployed with worker-jdbc only; ${fn} does not run jdbc tasks`);
    }
  });

  it('bundles the Google Cloud clients into gcp.js, which index.js evaluates only when a client is first required', () => {
    const entries = stubEntries();
    writeFileSync(join(entries, 'api.ts'), `${readFileSync(join(entries, 'api.ts'), 'utf8')}// eslint-disable-next-line @typescript-eslint/no-require-imports
export const storage = () => require('@google-cloud/storage');\n`);
    const out = join(dir, 'out');
    expect(runBuild(entries, out, '--only', 'api').status).toBe(0);
    expect(zipEntries(join(out, 'api.zip')).filter((f) => !f.startsWith('ui/'))).toEqual(['gcp.js', 'index.js', 'package.json']);
    expect(JSON.parse(readFileSync(join(out, 'api/package.json'), 'utf8')).dependencies).toEqual({});
    expect(readFileSync(join(out, 'api/index.js'), 'utf8')).toContain('require("./gcp.js")');
    const probe = "const m=require(process.argv[1]);const loaded=()=>Object.keys(require.cache).some((f)=>f.endsWith('gcp.js'));"
      + "const before=loaded();const ok=typeof m.storage().Storage==='function';console.log(JSON.stringify([before,ok,loaded()]));";
    const r = spawnSync(process.execPath, ['-e', probe, join(out, 'api/index.js')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([false, true, true]);
  });

  it('bundles the packages that only dynamically imported plugin modules use into plugins.js, evaluated when the plugin loads', () => {
    const entries = stubEntries();
    mkdirSync(join(dir, 'node_modules/fake-driver'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/fake-driver/package.json'), JSON.stringify({ name: 'fake-driver', version: '1.0.0', main: 'index.js' }));
    writeFileSync(join(dir, 'node_modules/fake-driver/index.js'), "globalThis.driverLoaded = true; exports.query = () => 'FAKE_DRIVER_RESULT';");
    mkdirSync(join(dir, 'lib/plugins/jdbc'), { recursive: true });
    writeFileSync(join(dir, 'lib/plugins/jdbc/driver.ts'), "import { query } from 'fake-driver';\nexport const run = () => query();\n");
    writeFileSync(join(entries, 'worker.ts'), `${readFileSync(join(entries, 'worker.ts'), 'utf8')}export const load = () => import('../lib/plugins/jdbc/driver');\n`);
    const out = join(dir, 'out');
    expect(runBuild(entries, out, '--only', 'worker-jdbc').status).toBe(0);
    expect(zipEntries(join(out, 'worker-jdbc.zip'))).toEqual(['index.js', 'package.json', 'plugins.js']);
    expect(readFileSync(join(out, 'worker-jdbc/index.js'), 'utf8')).not.toContain('FAKE_DRIVER_RESULT');
    const probe = "const m=require(process.argv[1]);const before=globalThis.driverLoaded===true;"
      + "m.load().then((d)=>console.log(JSON.stringify([before,d.run(),globalThis.driverLoaded])));";
    const r = spawnSync(process.execPath, ['-e', probe, join(out, 'worker-jdbc/index.js')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([false, 'FAKE_DRIVER_RESULT', true]);
  });

  it('bundles one copy of luxon when our code imports it and a package requires it', () => {
    const entries = stubEntries();
    writeFileSync(join(entries, 'api.ts'), `${readFileSync(join(entries, 'api.ts'), 'utf8')}import { DateTime } from 'luxon';
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const same = () => require('luxon').DateTime === DateTime;\n`);
    const out = join(dir, 'out');
    expect(runBuild(entries, out, '--only', 'api').status).toBe(0);
    const r = spawnSync(process.execPath, ['-e', 'console.log(require(process.argv[1]).same())', join(out, 'api/index.js')], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('true');
  });

  it('produces byte-identical zips from unchanged code, so Terraform redeploys nothing', () => {
    const entries = stubEntries();
    runBuild(entries, join(dir, 'a'), '--only', 'api');
    runBuild(entries, join(dir, 'b'), '--only', 'api');
    expect(readFileSync(join(dir, 'a/api.zip')).equals(readFileSync(join(dir, 'b/api.zip')))).toBe(true);
  });

  it('fails naming the entry point that no file registers', () => {
    const entries = join(dir, 'empty');
    mkdirSync(entries);
    writeFileSync(join(entries, 'index.ts'), 'export {};\n');
    const r = runBuild(entries, join(dir, 'out'), '--only', 'executor');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/no file under .* registers "executor" \(function executor\); expected functions\.cloudEvent\('executor', \.\.\.\)/);
  });

  it('lists the manifest for the gcloud deploy script', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build-functions.mjs'), '--list'], { encoding: 'utf8', cwd: ROOT });
    expect(r.stdout.trim().split('\n').map((l) => l.split('\t').slice(0, 3))).toEqual(FUNCTIONS.map((f) => [f.name, f.entryPoint, f.trigger]));
  });
});
