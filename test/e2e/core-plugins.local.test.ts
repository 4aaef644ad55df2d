// Kestra 1.x core plugins (HTTP, scripts) in whole flows on the embedded runtime.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDataDir } from '../../lib/runtime/embedded/data-dir';
import { LocalRuntime } from '../../lib/runtime/embedded/runtime';
import { NamespaceFiles } from '../../lib/worker/namespace-files';
import { outputOf, runFlowFile, runsOf } from '../helpers/local-run';

const flow = (name: string): string => join(__dirname, '../fixtures/flows/core-plugins', name);

describe('core plugins on the embedded runtime', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    // A real HTTP server on loopback: POST /greeting answers with a greeting for the JSON body's `who`.
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/greeting') { res.statusCode = 404; res.end(); return; }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ greeting: `Hello, ${JSON.parse(body).who}!` }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('an HTTP Request to a loopback server feeds a Log', async () => {
    const { execution, runtime } = await runFlowFile(flow('http-request-log.yml'), { inputs: { base } });
    expect(execution.state.current).toBe('SUCCESS');
    expect(outputOf(execution, 'call')).toMatchObject({ code: 200, body: '{"greeting":"Hello, Ada!"}' });
    const [say] = runsOf(execution, 'say');
    const lines = (await runtime.logs.list(execution.id)).filter((l) => l.taskRunId === say.id).map((l) => l.message);
    expect(lines).toEqual(['200 Hello, Ada!']);
  });

  it('1.x inputs, jq over a Request body, LocalFiles and log.Fetch work together in one flow', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aloft-jq-e2e-'));
    const runtime = new LocalRuntime({ env: { ALOFT_DATA_DIR: dir } });
    try {
      const { flow: deployed } = await runtime.deploy(readFileSync(flow('jq-fetch-localfiles.yml'), 'utf8'), 'jq-fetch-localfiles.yml');
      const started = await runtime.startExecution({ flow: deployed, inputs: { base, who: 'Grace', tags: '["a","b"]' } });
      const execution = await runtime.waitForEnd(started.id);
      expect(execution.state.current).toBe('SUCCESS');
      const uris = outputOf(execution, 'files')?.uris as Record<string, string>;
      expect(Object.keys(uris)).toEqual(['greeting.json']);
      expect(outputOf(execution, 'fetch')).toMatchObject({ size: 1 });
      let text = '';
      for await (const c of await runtime.blobs.get(outputOf(execution, 'fetch')?.uri as string)) text += String(c);
      expect(JSON.parse(text.trim())).toMatchObject({ taskId: 'say', level: 'INFO', message: 'Hello, Grace! a,b' });
    } finally {
      await runtime.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad 1.x input is refused before the flow runs, naming the input and the rule', async () => {
    await expect(runFlowFile(flow('jq-fetch-localfiles.yml'), { inputs: { base, who: 'Linus', tags: '[]' } }))
      .rejects.toThrow(/input 'who': 'Linus' is not one of the values 'Ada', 'Grace'.*input 'tags': the list has 0 items, fewer than minLength 1/s);
  });

  it('a python Script emits outputs through the protocol and a file, read by the tasks after it', async () => {
    const { execution } = await runFlowFile(flow('python-outputs.yml'), { inputs: { n: 5 } });
    expect(execution.state.current).toBe('SUCCESS');
    expect(outputOf(execution, 'compute')).toMatchObject({ exitCode: 0, vars: { total: 30, count: 5 } });
    expect(outputOf(execution, 'report')).toEqual({ value: 'total=30 count=5 lines=5' });
  });

  it('an Each loop runs over the files of a Split, whose parts are joined and reversed', async () => {
    const { execution } = await runFlowFile(flow('split-each.yml'), { files: { lines: flow('lines.txt') } });
    expect(execution.state.current).toBe('SUCCESS');
    const uris = outputOf(execution, 'split')?.uris as string[];
    expect(uris).toHaveLength(3);
    expect(uris.map((u) => outputOf(execution, 'size', u)?.size)).toEqual([8, 11, 5]);
    expect((outputOf(execution, 'count')?.vars as Record<string, unknown>).text).toBe('five four three two one ');
  });

  it('a KV Set in one execution is read by Get and kv() in two later ones, the last after a restart on the same data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aloft-kv-e2e-'));
    const open = async () => new LocalRuntime({ env: { ALOFT_DATA_DIR: dir }, adapters: await openDataDir(join(dir, 'data')) });
    const run = async (runtime: LocalRuntime, file: string, inputs?: Record<string, unknown>) => {
      const { flow: deployed } = await runtime.deploy(readFileSync(flow(file), 'utf8'), file);
      const started = await runtime.startExecution({ flow: deployed, inputs });
      return runtime.waitForEnd(started.id);
    };
    const said = async (runtime: LocalRuntime, execution: Awaited<ReturnType<typeof run>>) => {
      const [say] = runsOf(execution, 'say');
      return (await runtime.logs.list(execution.id)).filter((l) => l.taskRunId === say.id).map((l) => l.message);
    };
    try {
      const first = await open();
      try {
        expect((await run(first, 'kv-set.yml', { region: 'eu-west' })).state.current).toBe('SUCCESS');
        const read = await run(first, 'kv-get.yml');
        expect(read.state.current).toBe('SUCCESS');
        expect(outputOf(read, 'read')).toEqual({ value: { region: 'eu-west', replicas: 3 } });
        expect(outputOf(read, 'keys')).toEqual({ keys: ['runs', 'settings'] });
        expect(await said(first, read)).toEqual(['eu-west x4 eu-west']);
      } finally {
        await first.close();
      }
      const second = await open();
      try {
        const again = await run(second, 'kv-get.yml');
        expect(again.state.current).toBe('SUCCESS');
        expect(await said(second, again)).toEqual(['eu-west x4 eu-west']);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a python Script imports a namespace file and emits outputs through the protocol', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aloft-nsfile-e2e-'));
    const runtime = new LocalRuntime({ env: { ALOFT_DATA_DIR: dir } });
    try {
      const files = new NamespaceFiles(runtime.blobs);
      await files.put('company.team', 'scripts/__init__.py', '');
      await files.put('company.team', 'scripts/prices.py', 'def total(xs):\n    return sum(xs) * 2\n');
      const { flow: deployed } = await runtime.deploy(readFileSync(flow('python-namespace-file.yml'), 'utf8'));
      const execution = await runtime.waitForEnd((await runtime.startExecution({ flow: deployed })).id);
      expect(execution.state.current).toBe('SUCCESS');
      expect(outputOf(execution, 'compute')).toMatchObject({ exitCode: 0, vars: { total: 15 } });
      expect(outputOf(execution, 'report')).toEqual({ value: 'total=15' });
    } finally {
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
