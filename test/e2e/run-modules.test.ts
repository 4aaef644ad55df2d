// `aloft run` is the one-shot local command: it must not load what only the cloud needs. The child
// process gets a preload (NODE_OPTIONS=--require) that writes every module in require's cache when
// the process exits; the built CLI (dist/cli.js) and the packages it loads are all CommonJS.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const PRELOAD = `const { writeFileSync } = require('node:fs');
const out = process.env.ALOFT_TEST_MODULES_OUT;
process.on('exit', () => { if (out) writeFileSync(out, Object.keys(require.cache).join('\\n')); });
`;

/** Runs `node bin/aloft.js run <flow>` and returns its exit code and the modules it loaded. */
function modulesLoadedBy(flow: string): { status: number | null; stdout: string; stderr: string; modules: string[] } {
  if (!existsSync(join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'aloft-modules-'));
  try {
    writeFileSync(join(dir, 'record-modules.cjs'), PRELOAD);
    const out = join(dir, 'modules.txt');
    const r = spawnSync(process.execPath, [join(root, 'bin/aloft.js'), 'run', flow], {
      cwd: root, encoding: 'utf8', timeout: 60_000,
      env: { ...process.env, NODE_OPTIONS: `--require ${join(dir, 'record-modules.cjs')}`, ALOFT_TEST_MODULES_OUT: out, ALOFT_DATA_DIR: join(dir, 'data') },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, modules: existsSync(out) ? readFileSync(out, 'utf8').split('\n') : [] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const packageOf = (file: string): string | undefined => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];

describe('the modules aloft run loads', () => {
  let run: ReturnType<typeof modulesLoadedBy>;
  beforeAll(() => {
    run = modulesLoadedBy(join(root, 'examples/hello.yml'));
  });

  it('runs the flow and records what it loaded', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // The recorder works: the CLI's own dependencies are there.
    expect(run.modules.map(packageOf)).toContain('commander');
  });

  // Only `aloft dev` loads lib/dev/cloud.ts (an import() in lib/cli/dev.ts), which brings both.
  it('loads neither functions-framework nor protobufjs', () => {
    const packages = new Set(run.modules.map(packageOf));
    expect(packages.has('@google-cloud/functions-framework')).toBe(false);
    expect(packages.has('protobufjs')).toBe(false);
  });

  // The Kafka plugin imports its client on a Kafka task's first run only (lib/plugins/kafka/client.ts).
  it('does not load the Kafka client, a native module only a Kafka task needs', () => {
    expect(new Set(run.modules.map(packageOf)).has('@confluentinc/kafka-javascript')).toBe(false);
  });
});

// A Kafka Produce that fails on its serializer before connecting to any broker: the serde code runs
// (avsc is loaded with it), and protobufjs comes only with a PROTOBUF serde.
const produceFlow = (serializer: string): string => `
id: kafka-serde-${serializer.split(/\n/)[0].toLowerCase()}
namespace: io.aloft.tests
tasks:
  - id: produce
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: 127.0.0.1:1
    serdeProperties:
      schema.registry.url: http://127.0.0.1:1
    topic: t
    from: {value: x}
    keySerializer: STRING
    valueSerializer: ${serializer}
`;

describe('the modules aloft run loads for a Kafka serde', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'aloft-modules-flows-')); });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
  const run = (name: string, text: string) => {
    const file = join(dir, `${name}.yml`);
    writeFileSync(file, text);
    return modulesLoadedBy(file);
  };

  it('an AVRO serializer runs the serde code without loading protobufjs', () => {
    const got = run('avro', produceFlow('AVRO'));
    expect([got.status, got.stdout]).toEqual([1, expect.stringContaining('valueSerializer: AVRO needs valueAvroSchema')]);
    const packages = new Set(got.modules.map(packageOf));
    expect(packages.has('avsc')).toBe(true);
    expect(packages.has('protobufjs')).toBe(false);
  });

  it('a PROTOBUF serializer loads protobufjs, which reads its schema', () => {
    const got = run('protobuf', produceFlow('PROTOBUF\n    valueProtobufSchema: "syntax = \\"proto3\\"; message {"'));
    expect([got.status, got.stdout]).toEqual([1, expect.stringContaining('valueSerializer: valueProtobufSchema is not a usable Protobuf schema: ')]);
    expect(new Set(got.modules.map(packageOf)).has('protobufjs')).toBe(true);
  });
});
