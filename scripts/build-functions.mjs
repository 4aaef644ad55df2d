// Builds one deployable zip per function of functions/manifest.ts: build/functions/<name>.zip holds
// index.js (an esbuild bundle of the file that registers the entry point) and a package.json whose
// dependencies are only the packages left external. The unzipped folder stays next to the zip for
// `npm run bench:coldstart` and `npm run deploy:gcloud`.
//
//   node scripts/build-functions.mjs [--out build/functions] [--entries functions] [--only api,executor] [--list] [--analyze]
//
// --analyze prints what takes the most room in each bundle, by package (or by folder for our code).
//
// Kept external (installed by Cloud Build from package.json, never bundled):
// - @google-cloud/functions-framework: the runtime starts the server from its own copy and looks the
//   entry point up in that copy's registry, so the bundle must share it, not carry a second one;
// - packages with native code (binding.gyp, prebuilt .node files): esbuild cannot bundle them;
// - jq-web: the jq filter runs it in a worker thread, loaded by path, and it reads its jq.wasm beside itself.
// Plugin code a function can never run stays out of its bundle: a dynamic import() of a module under
// lib/plugins/<group>/ (how plugins load drivers on first use) is replaced, outside worker-<group>, by a
// module that throws, naming the function that does bundle it.
//
// The Google Cloud client libraries (GCP_CHUNK) go to a second file, gcp.js, that index.js requires on
// the first use of a client (lib/adapters/gcp/clients.ts requires them lazily). Node compiles a whole
// file when it is required, even the modules esbuild wraps to run later, so keeping their ~4 MB out of
// index.js is what makes loading it cheap; the libraries share google-gax and gRPC, hence one chunk.
import { build } from 'esbuild';
import { cpSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import yazl from 'yazl';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// The built web UI (npm run build), shipped inside the api function's folder.
const UI_DIR = join(ROOT, 'dist', 'ui');
const UI_FUNCTION = 'api';
const ALWAYS_EXTERNAL = ['@google-cloud/functions-framework', 'jq-web'];
const GCP_CHUNK = { file: 'gcp.js', packages: ['@google-cloud/firestore', '@google-cloud/pubsub', '@google-cloud/storage', '@google-cloud/bigquery', 'google-auth-library'] };
// Packages that only plugin modules loaded by a dynamic import() use (database drivers) go the same way
// to plugins.js: a worker compiles them when a task first needs them, not when it starts.
const PLUGINS_CHUNK = 'plugins.js';
// Packages with an "import" and a "require" build (luxon): our code imports it, cron-parser requires it,
// and esbuild would bundle both copies, each with its own Settings. Resolving every import the way
// require() does keeps one.
const SINGLE_COPY = ['luxon'];
// Plugin groups a function bundles besides its own worker group: the scheduler polls Kafka Triggers
// through the kafka plugin's Consume (lib/runtime/core/kafka-poll.ts).
const EXTRA_GROUPS = { scheduler: ['kafka'] };
// Modules the client libraries require but never use on Node 22, replaced by a stub (~1.8 MB):
// - the generated static protobuf classes that pubsub, pubsub-api and google-gax only re-export (`protos`,
//   `IamProtos`, `LocationProtos`, `operationsProtos`; only FirestoreAdminClient, which Aloft does not use,
//   reads operationsProtos). The clients encode with protos.json; Firestore's own static classes stay.
//   Reading a stub throws, naming the module, rather than returning undefined;
// - whatwg-url, which node-fetch 2 takes only when require('url').URL is missing, and the
//   web-streams-polyfill that fetch-blob takes only when globalThis.ReadableStream is missing.
const UNUSED_EXPORT = (what) => `const what = ${JSON.stringify(what)};\nmodule.exports = new Proxy({}, { get(_, key) {\n`
  + `  if (typeof key !== 'string' || key === '__esModule' || key === 'then') return undefined;\n`
  + `  throw new Error(\`\${what} is left out of the function bundle (scripts/build-functions.mjs): reading .\${key}\`);\n} });\n`;
const STUBS = [
  { filter: /[/\\]node_modules[/\\]@google-cloud[/\\]pubsub(?:-api)?[/\\]build[/\\]protos[/\\]protos\.js$/, contents: (p) => UNUSED_EXPORT(p) },
  { filter: /[/\\]node_modules[/\\]google-gax[/\\]build[/\\]protos[/\\](?:iam_service|locations|operations)\.js$/, contents: (p) => UNUSED_EXPORT(p) },
  { filter: /[/\\]node_modules[/\\]whatwg-url[/\\]lib[/\\]public-api\.js$/, contents: () => 'module.exports = { URL, URLSearchParams };\n' },
  { filter: /[/\\]node_modules[/\\]web-streams-polyfill[/\\]dist[/\\]ponyfill\.es2018\.js$/, contents: () => "module.exports = require('node:stream/web');\n" },
];
// A fixed timestamp keeps a zip byte-identical when its code is: Terraform names objects by their hash.
const ZIP_MTIME = new Date('1980-01-01T00:00:00Z');

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: 'build/functions' },
    entries: { type: 'string', default: 'functions' },
    only: { type: 'string' },
    list: { type: 'boolean', default: false },
    analyze: { type: 'boolean', default: false },
  },
});

const log = (...parts) => console.error('[build:functions]', ...parts);

/** functions/manifest.ts, bundled to a temporary CommonJS file and required. */
async function loadManifest() {
  const tmp = join(ROOT, 'node_modules/.cache/aloft-build');
  mkdirSync(tmp, { recursive: true });
  const out = join(tmp, `manifest-${process.pid}.cjs`);
  await build({ entryPoints: [join(ROOT, 'functions/manifest.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', packages: 'external', logLevel: 'warning' });
  try {
    return createRequire(import.meta.url)(out);
  } finally {
    rmSync(out, { force: true });
  }
}

const REGISTRATION = /(?:\b[\w$]+\s*\.\s*)?\b(?:http|cloudEvent)\s*(?:<[^>()]*>)?\s*\(\s*(['"`])([A-Za-z_$][\w$]*)\1/g;

/** entry point -> the file under `dir` that registers it (comments ignored). */
function registrations(dir) {
  const found = new Map();
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.[cm]?[tj]s$/.test(name) && !name.endsWith('.d.ts') && name !== 'manifest.ts') {
        const code = readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
        for (const m of code.matchAll(REGISTRATION)) {
          if (found.has(m[2]) && found.get(m[2]) !== path) throw new Error(`${m[2]} is registered in both ${found.get(m[2])} and ${path}`);
          found.set(m[2], path);
        }
      }
    }
  };
  walk(dir);
  return found;
}

/** The file to bundle for a function: functions/<name>.ts when it exists, else the file registering its entry point. */
function entryFile(fn, dir, registered) {
  for (const ext of ['.ts', '.js']) {
    const own = join(dir, `${fn.name}${ext}`);
    if (existsSync(own) && registered.get(fn.entryPoint) === own) return own;
  }
  const file = registered.get(fn.entryPoint);
  if (!file) throw new Error(`no file under ${relative(ROOT, dir) || dir} registers "${fn.entryPoint}" (function ${fn.name}); expected functions.${fn.trigger === 'http' ? 'http' : 'cloudEvent'}('${fn.entryPoint}', ...)`);
  return file;
}

const nativeCache = new Map();
/** True when the package (or its install) compiles or downloads native code. */
function isNative(pkgDir) {
  if (nativeCache.has(pkgDir)) return nativeCache.get(pkgDir);
  let native = false;
  try {
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    const deps = { ...pkg.dependencies, ...pkg.optionalDependencies };
    native = pkg.gypfile === true || existsSync(join(pkgDir, 'binding.gyp')) || existsSync(join(pkgDir, 'prebuilds'))
      || ['bindings', 'node-gyp-build', 'prebuild-install', '@mapbox/node-pre-gyp', 'node-pre-gyp', 'nan', 'node-addon-api'].some((d) => d in deps);
  } catch {
    native = false;
  }
  nativeCache.set(pkgDir, native);
  return native;
}

const packageOf = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
const isBuiltin = (spec) => spec.startsWith('node:') || builtinModules.includes(packageOf(spec));

/** The folder of the package `name` as seen from `from`, or undefined when it does not resolve. */
function packageDir(name, from) {
  const req = createRequire(from);
  try {
    return dirname(req.resolve(`${name}/package.json`));
  } catch {
    // Packages whose "exports" hide package.json: walk up from their main file.
    try {
      let dir = dirname(req.resolve(name));
      while (dir !== dirname(dir)) {
        const pj = join(dir, 'package.json');
        if (existsSync(pj) && JSON.parse(readFileSync(pj, 'utf8')).name === name) return dir;
        dir = dirname(dir);
      }
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** esbuild plugin: leaves native packages (and ALWAYS_EXTERNAL) as runtime requires. */
function externals(resolveDir) {
  return {
    name: 'aloft-externals',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (a) => {
        if (isBuiltin(a.path)) return undefined;
        const name = packageOf(a.path);
        if (ALWAYS_EXTERNAL.includes(name)) return { path: a.path, external: true };
        const pkgDir = packageDir(name, a.importer || join(resolveDir, 'noop.js'));
        if (!pkgDir) return undefined;
        return isNative(pkgDir) ? { path: a.path, external: true } : undefined;
      });
    },
  };
}

/** The installed version of a package as the bundle resolved it, pinned exactly in the function's package.json. */
function installedVersion(name, from) {
  const dir = packageDir(name, from) ?? packageDir(name, join(ROOT, 'noop.js'));
  if (!dir) throw new Error(`${name} is kept external but is not installed: npm install it first`);
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
}

function zip(dir, files, outfile) {
  return new Promise((done, fail) => {
    const z = new yazl.ZipFile();
    for (const f of files.sort()) z.addFile(join(dir, f), f, { mtime: ZIP_MTIME, mode: 0o100644 });
    z.end();
    z.outputStream.pipe(createWriteStream(outfile)).on('close', done).on('error', fail);
  });
}

/** esbuild plugin: drops lazily imported plugin modules of other groups (see the header). */
function otherGroups(fn) {
  return {
    name: 'aloft-other-groups',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (a) => {
        if (a.kind !== 'dynamic-import') return undefined;
        const m = /[/\\]lib[/\\]plugins[/\\]([^/\\]+)[/\\]/.exec(resolve(a.resolveDir, a.path));
        if (!m || m[1] === fn.group || EXTRA_GROUPS[fn.name]?.includes(m[1])) return undefined;
        return { path: relative(ROOT, resolve(a.resolveDir, a.path)), namespace: 'aloft-other-group', pluginData: { group: m[1] } };
      });
      b.onLoad({ filter: /.*/, namespace: 'aloft-other-group' }, (a) => ({
        loader: 'js',
        contents: `throw new Error(${JSON.stringify(`${a.path} is deployed with worker-${a.pluginData.group} only; ${fn.name} does not run ${a.pluginData.group} tasks`)});`,
      }));
    },
  };
}

/** Logs the largest contributors to a bundle: node_modules packages, or the first two folders of our code. */
function analyze(name, output) {
  const sizes = new Map();
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const key = m ? m[1] : relative(ROOT, resolve(ROOT, path)).split('/').slice(0, 2).join('/');
    sizes.set(key, (sizes.get(key) ?? 0) + bytesInOutput);
  }
  const top = [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 15);
  log(`${name}: largest parts: ${top.map(([k, v]) => `${k} ${(v / 1e6).toFixed(2)} MB`).join(', ')}`);
}

/** esbuild plugin: resolves SINGLE_COPY packages with the "require" condition, whoever imports them. */
function singleCopy() {
  const names = new RegExp(`^(?:${SINGLE_COPY.join('|')})$`);
  return {
    name: 'aloft-single-copy',
    setup(b) {
      b.onResolve({ filter: names }, async (a) => {
        if (a.kind === 'require-call' || a.pluginData === 'single-copy') return undefined;
        const r = await b.resolve(a.path, { kind: 'require-call', resolveDir: a.resolveDir, importer: a.importer, pluginData: 'single-copy' });
        return r.errors.length ? undefined : { path: r.path, external: r.external };
      });
    },
  };
}

/** esbuild plugin: replaces the STUBS modules (see above). */
function stubs() {
  return {
    name: 'aloft-stubs',
    setup(b) {
      for (const stub of STUBS) {
        b.onLoad({ filter: stub.filter }, (a) => ({ loader: 'js', contents: stub.contents(relative(ROOT, a.path).split('\\').join('/').replace(/^.*node_modules\//, '')) }));
      }
    },
  };
}

/** esbuild plugin: our code's `require('<package>')` becomes `require('./<chunk file>')['<package>']()` (see the header). */
function lazyChunks(chunks) {
  const fileOf = new Map(chunks.flatMap((c) => c.packages.map((name) => [name, c.file])));
  return {
    name: 'aloft-lazy-chunk',
    setup(b) {
      // Only our code's imports: a package may depend on another major of a library than the chunk holds.
      b.onResolve({ filter: /^[^./]/ }, (a) => (a.namespace === 'aloft-lazy-chunk' || /[/\\]node_modules[/\\]/.test(a.importer) || !fileOf.has(a.path)
        ? undefined : { path: `${fileOf.get(a.path)}:${a.path}`, namespace: 'aloft-lazy-chunk' }));
      b.onResolve({ filter: /.*/, namespace: 'aloft-lazy-chunk' }, (a) => ({ path: a.path, external: true }));
      b.onLoad({ filter: /.*/, namespace: 'aloft-lazy-chunk' }, (a) => {
        const [file, name] = [a.path.slice(0, a.path.indexOf(':')), a.path.slice(a.path.indexOf(':') + 1)];
        return { loader: 'js', contents: `module.exports = require(${JSON.stringify(`./${file}`)})[${JSON.stringify(name)}]();` };
      });
    },
  };
}

/**
 * The packages that only modules reached through a dynamic import() use (plugin drivers, loaded when a
 * task first needs them): a first, unwritten build's metafile, walked from the entry over static imports.
 */
async function lazilyImported(fn, file) {
  const result = await build({
    ...BUILD_OPTIONS, minify: false, write: false, entryPoints: [file], outfile: join(tmpdir(), 'aloft-probe.js'),
    plugins: [otherGroups(fn), lazyChunks([GCP_CHUNK]), singleCopy(), stubs(), externals(dirname(file))],
  });
  const { inputs } = result.metafile;
  const ours = (key) => !/(^|[/\\])node_modules[/\\]/.test(key) && !key.includes(':');
  const reached = new Set();
  const walk = (key) => {
    if (reached.has(key) || !inputs[key]) return;
    reached.add(key);
    for (const i of inputs[key].imports) if (i.kind !== 'dynamic-import') walk(i.path);
  };
  walk(relative(process.cwd(), file).split('\\').join('/'));
  const used = { eager: new Set(), lazy: new Set() };
  for (const [key, input] of Object.entries(inputs)) {
    if (!ours(key)) continue;
    for (const i of input.imports) {
      const name = i.original ?? i.path;
      if (i.external || !/^[^./]/.test(name) || isBuiltin(name) || packageOf(name) !== name) continue;
      used[reached.has(key) ? 'eager' : 'lazy'].add(name);
    }
  }
  return [...used.lazy].filter((name) => !used.eager.has(name) && !GCP_CHUNK.packages.includes(name)).sort();
}

const BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  loader: { '.proto': 'text' },
  // Entries outside the project (a stub under /tmp) still resolve the project's packages.
  nodePaths: [join(ROOT, 'node_modules')],
};

/** Bundles the lazy packages the main bundle asked for into <dir>/<chunk>; returns its esbuild output. */
async function buildChunk(fn, file, dir, chunk, wanted) {
  const result = await build({
    ...BUILD_OPTIONS,
    stdin: {
      contents: `module.exports = {\n${wanted.map((n) => `  ${JSON.stringify(n)}: () => require(${JSON.stringify(n)}),`).join('\n')}\n};\n`,
      resolveDir: dirname(file),
      sourcefile: `${fn.name}-${chunk}`,
      loader: 'js',
    },
    outfile: join(dir, chunk),
    plugins: [singleCopy(), stubs(), externals(dirname(file))],
  });
  return Object.values(result.metafile.outputs)[0];
}

async function buildOne(fn, file, outRoot) {
  const dir = join(outRoot, fn.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const chunks = [GCP_CHUNK, { file: PLUGINS_CHUNK, packages: await lazilyImported(fn, file) }];
  const result = await build({
    ...BUILD_OPTIONS,
    entryPoints: [file],
    outfile: join(dir, 'index.js'),
    plugins: [otherGroups(fn), lazyChunks(chunks), singleCopy(), stubs(), externals(dirname(file))],
  });
  const outputs = [Object.values(result.metafile.outputs)[0]];
  const asked = Object.keys(outputs[0].inputs).filter((p) => p.startsWith('aloft-lazy-chunk:')).map((p) => p.slice('aloft-lazy-chunk:'.length));
  for (const { file: chunk } of chunks) {
    const wanted = asked.filter((p) => p.startsWith(`${chunk}:`)).map((p) => p.slice(chunk.length + 1)).sort();
    if (wanted.length) outputs.push(await buildChunk(fn, file, dir, chunk, wanted));
  }
  if (args.analyze) for (const output of outputs) analyze(fn.name, output);
  const imported = [...new Set(outputs.flatMap((o) => o.imports).filter((i) => i.external && !isBuiltin(i.path) && !i.path.startsWith('./'))
    .map((i) => packageOf(i.path)))].sort();
  // esbuild also leaves out optional requires it cannot resolve (inside try/catch, such as pg-native):
  // those are not installed here and stay out of package.json too.
  const external = imported.filter((name) => ALWAYS_EXTERNAL.includes(name) || packageDir(name, file) || packageDir(name, join(ROOT, 'noop.js')));
  const optional = imported.filter((name) => !external.includes(name));
  if (optional.length) log(`${fn.name}: optional requires left unresolved: ${optional.join(', ')}`);
  const dependencies = Object.fromEntries(external.map((name) => [name, installedVersion(name, file)]));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({
    name: `aloft-${fn.name}`, private: true, main: 'index.js', engines: { node: '>=22' }, dependencies,
  }, null, 2)}\n`);
  // The api function serves the web UI at /ui (lib/api/ui-static.ts finds it beside index.js).
  if (fn.name === UI_FUNCTION && existsSync(join(UI_DIR, 'index.html'))) cpSync(UI_DIR, join(dir, 'ui'), { recursive: true });
  const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => statSync(join(dir, f)).isFile());
  const zipPath = join(outRoot, `${fn.name}.zip`);
  await zip(dir, files, zipPath);
  const bundleBytes = files.filter((f) => f !== 'package.json' && !f.startsWith('ui/')).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  return { name: fn.name, entryPoint: fn.entryPoint, trigger: fn.trigger, source: relative(ROOT, file), dir: relative(ROOT, dir), zip: relative(ROOT, zipPath), bundleBytes, zipBytes: statSync(zipPath).size, external };
}

async function main() {
  const { FUNCTIONS } = await loadManifest();
  if (args.list) {
    // One line per function for scripts/deploy-gcloud.sh: name, entry point, trigger, topic, document.
    for (const f of FUNCTIONS) console.log([f.name, f.entryPoint, f.trigger, f.topic ?? '-', f.document ?? '-'].join('\t'));
    return;
  }
  const only = args.only ? new Set(args.only.split(',')) : undefined;
  const selected = FUNCTIONS.filter((f) => !only || only.has(f.name));
  if (only) for (const name of only) if (!FUNCTIONS.some((f) => f.name === name)) throw new Error(`--only: ${name} is not in functions/manifest.ts`);
  const entriesDir = resolve(ROOT, args.entries);
  const outRoot = resolve(ROOT, args.out);
  mkdirSync(outRoot, { recursive: true });
  const registered = registrations(entriesDir);
  const built = [];
  for (const fn of selected) {
    const b = await buildOne(fn, entryFile(fn, entriesDir, registered), outRoot);
    log(`${b.zip}: ${b.source} -> ${(b.bundleBytes / 1e6).toFixed(2)} MB bundle, ${(b.zipBytes / 1e6).toFixed(2)} MB zip, external: ${b.external.join(', ') || 'none'}`);
    built.push(b);
  }
  writeFileSync(join(outRoot, 'build.json'), `${JSON.stringify({ functions: built }, null, 2)}\n`);
}

main().catch((err) => {
  log(`failed: ${err.message}`);
  process.exitCode = 1;
});
