// `aloft server` and the remote commands (`flow deploy`, `execution start|get|logs|kill`), driven
// in-process through the commander definitions that main.ts registers.
import { Command } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIO } from '../../lib/cli/io';
import { registerServerCommands } from '../../lib/cli/server';
import { startServer, type Harness } from './server-harness';

const NS = 'io.aloft.cli';

function io(env: Record<string, string> = {}): CliIO & { out: () => string; err: () => string; interrupt: () => void } {
  let out = '';
  let err = '';
  let handler: (() => void) | undefined;
  return {
    env, isTTY: false,
    stdout: (s) => { out += s; },
    stderr: (s) => { err += s; },
    onInterrupt: (h) => { handler = h; return () => { handler = undefined; }; },
    out: () => out, err: () => err, interrupt: () => handler?.(),
  };
}

async function cli(args: string[], cliIo = io()): Promise<{ code: number; out: string; err: string }> {
  let code = 0;
  const program = new Command('aloft').exitOverride().configureOutput({ writeOut: cliIo.stdout, writeErr: cliIo.stderr });
  registerServerCommands(program, cliIo, (c) => { code = c; });
  await program.parseAsync(args, { from: 'user' });
  return { code, out: cliIo.out(), err: cliIo.err() };
}

describe('remote commands', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    h = await startServer({ auth: { tokens: [{ token: 'cli-token-123', scope: 'admin' }] } });
    dir = mkdtempSync(join(tmpdir(), 'aloft-cli-flows-'));
    writeFileSync(join(dir, 'greet.yml'), `id: greet\nnamespace: ${NS}\ninputs:\n  - name: who\n    type: STRING\n  - name: doc\n    type: FILE\n    required: false\ntasks:\n  - id: say\n    type: io.kestra.core.tasks.log.Log\n    message: "hello {{ inputs.who }}"\n`);
    writeFileSync(join(dir, 'wait.yml'), `id: wait\nnamespace: ${NS}\ntasks:\n  - id: pause\n    type: io.kestra.core.tasks.flows.Pause\n`);
    writeFileSync(join(dir, 'bad.yml'), `id: bad\nnamespace: ${NS}\ntasks:\n  - id: x\n    type: io.kestra.core.tasks.debugs.Return\ntriggers:\n  - id: s\n    type: io.kestra.core.models.triggers.types.Schedule\n    cron: "99 * * * *"\n`);
    writeFileSync(join(dir, 'doc.txt'), 'file content');
  });
  afterAll(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const remote = () => ['--server', h.url, '--token', 'cli-token-123'];

  it('deploys flow files and prints their revisions', async () => {
    const r = await cli(['flow', 'deploy', join(dir, 'greet.yml'), join(dir, 'wait.yml'), ...remote()]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${NS}.greet revision 1`);
    expect(r.out).toContain(`${NS}.wait revision 1`);
  });

  it('exits 2 and prints file:line:col for an invalid flow', async () => {
    const r = await cli(['flow', 'deploy', join(dir, 'bad.yml'), ...remote()]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.yml:\d+:\d+: flow io\.aloft\.cli\.bad, task s, property triggers\[0\]\.cron: invalid cron expression '99 \* \* \* \*'/);
  });

  it('exits 1 with the server message without a token', async () => {
    const r = await cli(['execution', 'get', 'x', '--server', h.url]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('this server needs a bearer token');
  });

  it('takes the server and token from ALOFT_SERVER and ALOFT_API_TOKEN, the variable the server reads', async () => {
    const r = await cli(['execution', 'get', 'nope'], io({ ALOFT_SERVER: h.url, ALOFT_API_TOKEN: 'cli-token-123' }));
    expect(r.code).toBe(2);
    expect(r.err).toContain('execution nope not found');
  });

  it('warns that ALOFT_TOKEN, the name the client once read, is ignored', async () => {
    const r = await cli(['execution', 'get', 'nope'], io({ ALOFT_SERVER: h.url, ALOFT_TOKEN: 'cli-token-123' }));
    expect(r.code).toBe(1);
    expect(r.err).toContain('warning: ALOFT_TOKEN is ignored; set ALOFT_API_TOKEN');
  });

  it('starts an execution with inputs and a file, waits for it, and prints its logs and JSON', async () => {
    const started = await cli(['execution', 'start', NS, 'greet', '-i', 'who=cli', '-f', `doc=${join(dir, 'doc.txt')}`, '--wait', '--json', ...remote()]);
    expect(started.code).toBe(0);
    const e = JSON.parse(started.out);
    expect(e).toMatchObject({ state: { current: 'SUCCESS' }, inputs: { who: 'cli', doc: expect.stringMatching(/doc\.txt$/) } });
    const logs = await cli(['execution', 'logs', e.id, ...remote()]);
    expect(logs.out).toMatch(/INFO {2}say hello cli/);
    const got = await cli(['execution', 'get', e.id, ...remote()]);
    expect(JSON.parse(got.out).id).toBe(e.id);
  });

  it('exits 2 when the inputs are refused', async () => {
    const r = await cli(['execution', 'start', NS, 'greet', ...remote()]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("missing required input 'who'");
  });

  it('kills a running execution', async () => {
    const started = await cli(['execution', 'start', NS, 'wait', ...remote()]);
    const id = started.out.trim();
    await h.server.runtime.waitForEnd(id);
    const r = await cli(['execution', 'kill', id, ...remote()]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`execution ${id}`);
    expect((await h.server.runtime.waitForEnd(id)).state.current).toBe('KILLED');
  });

  it('exits 1 and names the server when it cannot be reached', async () => {
    const r = await cli(['execution', 'get', 'x', '--server', 'http://127.0.0.1:1']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('cannot reach http://127.0.0.1:1');
  });
});

describe('aloft server', () => {
  it('serves on 127.0.0.1 with the flows of a folder until interrupted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aloft-server-cli-'));
    writeFileSync(join(dir, 'one.yml'), `id: one\nnamespace: ${NS}\ntasks:\n  - id: r\n    type: io.kestra.core.tasks.debugs.Return\n    format: x\n`);
    const cliIo = io({ ALOFT_DATA_DIR: join(dir, 'data'), ALOFT_SCHEDULER_INTERVAL_MS: '0' });
    try {
      const running = cli(['server', '--port', '0', '--flows', dir, '--token', 'server-token-1'], cliIo);
      let url: string | undefined;
      for (let i = 0; i < 2000 && !url; i++) {
        url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(cliIo.out())?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 10));
      }
      expect(url).toBeDefined();
      expect((await fetch(`${url}/api/v1/flows/${NS}/one`)).status).toBe(401);
      const ok = await fetch(`${url}/api/v1/flows/${NS}/one`, { headers: { authorization: 'Bearer server-token-1' } });
      expect(ok.status).toBe(200);
      cliIo.interrupt();
      expect((await running).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 when a flow of the folder is invalid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aloft-server-cli-'));
    writeFileSync(join(dir, 'bad.yml'), 'id: bad\nnamespace: x\n');
    try {
      const r = await cli(['server', '--port', '0', '--flows', dir], io({ ALOFT_DATA_DIR: join(dir, 'data') }));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/bad\.yml:\d+:\d+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a port that is not a number', async () => {
    const r = await cli(['server', '--port', 'eighty'], io({}));
    expect(r.code).toBe(1);
    expect(r.err).toContain('--port must be a port number, got eighty');
  });
});
