// The lint rules that keep lib/model, lib/expr and lib/engine pure, and every layer in its place, really fire.
// ESLint's flat config is an ES module, which jest's VM cannot load; lint in a child process instead.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const LINTER = `
const { ESLint } = require('eslint');
const path = require('node:path');
let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const out = [];
  for (const { code, file } of JSON.parse(input)) {
    const [r] = await eslint.lintText(code, { filePath: path.join(process.cwd(), file) });
    out.push(r.messages.map((m) => m.ruleId || m.message));
  }
  process.stdout.write(JSON.stringify(out));
});`;

const probes: Array<{ code: string; file: string }> = [];
let results: string[][] = [];
/** Registers a snippet to lint; the answer is read after beforeAll linted them all at once. */
function probe(code: string, file: string): void {
  probes.push({ code, file });
}
async function ruleIds(code: string, file: string): Promise<string[]> {
  const i = probes.findIndex((p) => p.code === code && p.file === file);
  if (i < 0) throw new Error(`probe not registered: ${file}`);
  return results[i];
}

beforeAll(() => {
  const r = spawnSync(process.execPath, ['-e', LINTER], { cwd: root, input: JSON.stringify(probes), encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`eslint failed: ${r.stderr}`);
  results = JSON.parse(r.stdout);
}, 130_000);

describe('the pure-core lint rule', () => {
  const violations: Array<[string, string]> = [
    ["import { Firestore } from '@google-cloud/firestore';\nexport const f = Firestore;", 'no-restricted-imports'],
    ["import { readFileSync } from 'node:fs';\nexport const r = readFileSync;", 'no-restricted-imports'],
    ["import * as fs from 'fs';\nexport const r = fs;", 'no-restricted-imports'],
    ["import { connect } from 'net';\nexport const c = connect;", 'no-restricted-imports'],
    ["import { spawn } from 'child_process';\nexport const s = spawn;", 'no-restricted-imports'],
    ['export const home = process.env.HOME;', 'no-restricted-properties'],
    ['export const t = Date.now();', 'no-restricted-properties'],
    ['export const r = Math.random();', 'no-restricted-properties'],
    ['export const d = new Date();', 'no-restricted-syntax'],
  ];

  for (const folder of ['lib/model', 'lib/expr', 'lib/engine']) {
    for (const [code] of violations) probe(code, `${folder}/lint-probe.ts`);
    it.each(violations)(`rejects %s in ${folder}`, async (code, rule) => {
      expect(await ruleIds(code, `${folder}/lint-probe.ts`)).toContain(rule);
    });
  }
  probe('export const iso = (now: Date): string => new Date(now.getTime()).toISOString();', 'lib/engine/lint-probe.ts');
  probe('export const t = Date.now();\nexport const e = process.env.HOME;', 'lib/runtime/lint-probe.ts');
  const gcpImport = "import { PubSub } from '@google-cloud/pubsub';\nexport const p = PubSub;";
  probe(gcpImport, 'lib/runtime/lint-probe.ts');
  probe(gcpImport, 'lib/adapters/gcp/lint-probe.ts');

  it('accepts time passed in as a value', async () => {
    expect(await ruleIds('export const iso = (now: Date): string => new Date(now.getTime()).toISOString();', 'lib/engine/lint-probe.ts')).toEqual([]);
  });

  it('allows the runtime to read the clock and the environment', async () => {
    expect(await ruleIds('export const t = Date.now();\nexport const e = process.env.HOME;', 'lib/runtime/lint-probe.ts')).toEqual([]);
  });

  it('keeps Google Cloud clients out of everything but the GCP adapters and plugins', async () => {
    const code = "import { PubSub } from '@google-cloud/pubsub';\nexport const p = PubSub;";
    expect(await ruleIds(code, 'lib/runtime/lint-probe.ts')).toContain('no-restricted-imports');
    expect(await ruleIds(code, 'lib/adapters/gcp/lint-probe.ts')).toEqual([]);
  });
});

describe('the layering lint rule', () => {
  const imp = (from: string): string => `import { x } from '${from}';\nexport const y = x;`;
  // [file, code, fires]: one snippet that breaks each zone and one that each zone allows.
  const cases: Array<[string, string, boolean]> = [
    ['lib/model/lint-probe.ts', imp('../expr/evaluate'), true],
    ['lib/model/lint-probe.ts', imp('../engine/step'), true],
    ['lib/model/lint-probe.ts', imp('./states'), false],
    ['lib/expr/lint-probe.ts', imp('../engine/step'), true],
    ['lib/expr/lint-probe.ts', imp('../adapters/local'), true],
    ['lib/expr/lint-probe.ts', imp('../model/states'), false],
    ['lib/engine/lint-probe.ts', imp('../worker/run-attempt'), true],
    ['lib/engine/lint-probe.ts', imp('../runtime/local'), true],
    ['lib/engine/lint-probe.ts', imp('../expr/evaluate'), false],
    ['lib/engine/lint-probe.ts', imp('../ports/system'), false],
    ['lib/worker/lint-probe.ts', imp('../runtime/local'), true],
    ['lib/worker/lint-probe.ts', imp('../engine/step'), false],
    ['lib/runtime/lint-probe.ts', imp('../api/router'), true],
    ['lib/runtime/lint-probe.ts', imp('../cli/run'), true],
    ['lib/runtime/lint-probe.ts', imp('../adapters/gcp/lease'), true],
    ['lib/runtime/core/lint-probe.ts', "export const load = () => import('../../adapters/gcp/lease');", true],
    ['lib/runtime/lint-probe.ts', imp('../adapters/local'), false],
    ['lib/runtime/lint-probe.ts', imp('../worker/run-attempt'), false],
    ['lib/api/lint-probe.ts', imp('../cli/run'), true],
    ['lib/api/lint-probe.ts', "export { x } from '../cli/run';", true],
    ['lib/api/lint-probe.ts', imp('../runtime/local'), false],
    ['lib/cli/lint-probe.ts', imp('../../functions/manifest'), true],
    ['lib/dev/lint-probe.ts', "const m = require('../../functions/manifest');\nexport const y = m;", true],
    ['lib/cli/lint-probe.ts', imp('../api/router'), false],
    ['lib/dev/lint-probe.ts', imp('../../functions/index'), true],
    ['lib/wiring/lint-probe.ts', imp('../../functions/index'), true],
    ['lib/wiring/lint-probe.ts', imp('../api/router'), false],
    ['lib/wiring/lint-probe.ts', imp('../runtime/embedded/runtime'), false],
    ['lib/api/lint-probe.ts', imp('../wiring/local-server'), true],
    ['lib/runtime/lint-probe.ts', imp('../wiring/cloud-entry'), true],
    ['lib/runtime/embedded/lint-probe.ts', imp('../../dev/cloud'), true],
    ['lib/plugins/core/lint-probe.ts', imp('../../wiring/handlers'), true],
    ['lib/plugins/core/lint-probe.ts', imp('../../runtime/local'), true],
    ['lib/plugins/core/lint-probe.ts', imp('../../api/router'), true],
    ['lib/plugins/core/lint-probe.ts', imp('../../cli/run'), true],
    ['lib/plugins/core/lint-probe.ts', imp('../../worker/run-attempt'), false],
    ['lib/plugins/core/lint-probe.ts', imp('../../expr/evaluate'), false],
    ['lib/adapters/local/lint-probe.ts', imp('../../runtime/local'), true],
    ['lib/adapters/gcp/lint-probe.ts', imp('../../api/router'), true],
    ['lib/adapters/local/lint-probe.ts', imp('../../triggers/schedule'), false],
    ['lib/triggers/lint-probe.ts', imp('../cli/run'), true],
    ['lib/ports/lint-probe.ts', imp('../runtime/local'), true],
    ['lib/ports/lint-probe.ts', imp('../model/flow'), false],
    // Packages are not folders of this project: the rule leaves them to the other rules.
    ['lib/engine/lint-probe.ts', imp('zod'), false],
  ];
  for (const [file, code] of cases) probe(code, file);

  it.each(cases.filter(([, , fires]) => fires))('refuses in %s: %s', async (file, code) => {
    expect(await ruleIds(code, file)).toContain('aloft/layers');
  });

  it.each(cases.filter(([, , fires]) => !fires))('allows in %s: %s', async (file, code) => {
    expect(await ruleIds(code, file)).not.toContain('aloft/layers');
  });

  // No file is excused from a zone: the composition roots that tie the runtime to the API and to the
  // functions live in lib/wiring and lib/dev, which no lower layer may import.
  probe(imp('../../api/router'), 'lib/runtime/embedded/lint-probe.ts');
  probe(imp('../../../functions/index'), 'lib/dev/host/lint-probe.ts');

  it('excuses no file in lib/runtime or lib/dev', async () => {
    expect(await ruleIds(imp('../../api/router'), 'lib/runtime/embedded/lint-probe.ts')).toContain('aloft/layers');
    expect(await ruleIds(imp('../../../functions/index'), 'lib/dev/host/lint-probe.ts')).toContain('aloft/layers');
  });
});
