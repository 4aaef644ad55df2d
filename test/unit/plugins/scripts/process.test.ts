import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { OWNER_VAR, reapOrphans } from '../../../../lib/plugins/scripts/owner';
import { runProcess } from '../../../../lib/plugins/scripts/process';
import { isRunning, waitGone } from './proc-helpers';

const env = { PATH: '/usr/local/bin:/usr/bin:/bin' };

describe('runProcess', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'aloft-proc-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('streams stdout and stderr line by line and returns the exit code', async () => {
    const lines: Array<[string, boolean]> = [];
    const end = await runProcess({
      command: '/bin/sh', args: ['-c', 'echo one; echo two >&2; printf three; exit 3'], cwd: dir, env,
      signal: new AbortController().signal, onLine: (l, e) => lines.push([l, e]),
    });
    expect(end).toEqual({ exitCode: 3, signal: null });
    expect(lines).toEqual(expect.arrayContaining([['one', false], ['two', true], ['three', false]]));
    expect(lines).toHaveLength(3);
  });

  it('gives the script pipes as stdout and stderr, so /dev/stdout and /dev/stderr can be opened', async () => {
    const lines: Array<[string, boolean]> = [];
    const end = await runProcess({
      command: '/bin/sh', args: ['-c', 'echo out >> /dev/stdout; echo err >> /dev/stderr; test -p /dev/stderr && echo piped'], cwd: dir, env,
      signal: new AbortController().signal, onLine: (l, e) => lines.push([l, e]),
    });
    expect(end).toEqual({ exitCode: 0, signal: null });
    expect(lines).toEqual(expect.arrayContaining([['out', false], ['err', true], ['piped', false]]));
    expect(lines).toHaveLength(3);
  });

  it('cuts a line without end at 64 Ki characters instead of holding it, and reads the next line whole', async () => {
    const lines: string[] = [];
    const end = await runProcess({
      command: '/bin/sh', args: ['-c', "head -c 10000000 /dev/zero | tr '\\0' x; echo; echo after"], cwd: dir, env,
      signal: new AbortController().signal, onLine: (l) => lines.push(l),
    });
    expect(end.exitCode).toBe(0);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`${'x'.repeat(64 * 1024)}… [line cut at 65536 characters]`);
    expect(lines[1]).toBe('after');
  });

  it('stops a child that left the process group with setsid, when aborted and when the script exits', async () => {
    for (const abort of [true, false]) {
      const stop = new AbortController();
      let pid = 0;
      const ran = runProcess({
        command: '/bin/sh', args: ['-c', `setsid sleep 300 & echo $!; ${abort ? 'wait' : 'exit 0'}`], cwd: dir, env,
        signal: stop.signal, onLine: (l) => { pid = Number(l); if (abort) stop.abort(new Error('killed')); },
      });
      await (abort ? expect(ran).rejects.toThrow('killed') : expect(ran).resolves.toEqual({ exitCode: 0, signal: null }));
      expect(pid).toBeGreaterThan(0);
      expect(await waitGone(pid)).toBe(true);
    }
  });

  it('kills the scripts of a runtime that was SIGKILLed, setsid children included', async () => {
    const runtime = spawn(process.execPath, ['scripts/run-ts.mjs', 'test/helpers/script-owner.ts', 'sleep 300 & echo $!; setsid sleep 300 & echo $!; wait'], {
      cwd: join(__dirname, '../../../..'), stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pids: number[] = [];
    const lines = createInterface({ input: runtime.stdout! });
    await new Promise<void>((done) => lines.on('line', (l) => { pids.push(Number(l)); if (pids.length === 2) done(); }));
    runtime.kill('SIGKILL');
    for (const pid of pids) expect(await waitGone(pid)).toBe(true);
  }, 30_000);

  it('leaves no FIFO folder behind when the runtime exits while a script starts', async () => {
    const runtime = spawn(process.execPath, ['scripts/run-ts.mjs', 'test/helpers/exit-while-piping.ts'], {
      cwd: join(__dirname, '../../../..'), env: { ...process.env, TMPDIR: dir }, stdio: ['ignore', 'ignore', 'inherit'],
    });
    expect(await new Promise((done) => runtime.on('exit', done))).toBe(0);
    expect((await readdir(dir)).filter((name) => name.startsWith('.aloft-pipes-'))).toEqual([]);
  }, 30_000);

  it('kills processes marked by a runtime that is gone', async () => {
    const orphan = spawn('sleep', ['300'], { env: { ...env, [OWNER_VAR]: '999999999.1.task' }, detached: true, stdio: 'ignore' });
    try {
      expect(isRunning(orphan.pid!)).toBe(true);
      expect(reapOrphans()).toBeGreaterThanOrEqual(1);
      expect(await waitGone(orphan.pid!)).toBe(true);
    } finally {
      orphan.kill('SIGKILL');
    }
  });

  it('stops the whole process group when aborted, children included', async () => {
    const ctrl = new AbortController();
    const pidFile = join(dir, 'pids');
    const running = runProcess({
      command: '/bin/sh', args: ['-c', `sleep 300 & echo $! > ${pidFile}; echo started; wait`], cwd: dir, env, signal: ctrl.signal,
      onLine: (l) => { if (l === 'started') ctrl.abort(new Error('killed by test')); },
    });
    await expect(running).rejects.toThrow('killed by test');
    const child = Number((await readFile(pidFile, 'utf8')).trim());
    expect(await waitGone(child)).toBe(true);
  });

  it('escalates to SIGKILL when the group ignores SIGTERM', async () => {
    const ctrl = new AbortController();
    const pidFile = join(dir, 'pids');
    const running = runProcess({
      command: '/bin/sh', args: ['-c', `trap "" TERM; echo $$ > ${pidFile}; echo started; while true; do sleep 0.05; done`],
      cwd: dir, env, signal: ctrl.signal, killGraceMs: 100,
      onLine: (l) => { if (l === 'started') ctrl.abort(new Error('stop')); },
    });
    await expect(running).rejects.toThrow('stop');
    expect(await waitGone(Number((await readFile(pidFile, 'utf8')).trim()))).toBe(true);
  });

  it('stops background children left behind when the script exits', async () => {
    const pidFile = join(dir, 'pids');
    const end = await runProcess({
      command: '/bin/sh', args: ['-c', `sleep 300 > /dev/null 2>&1 & echo $! > ${pidFile}; exit 0`], cwd: dir, env,
      signal: new AbortController().signal, onLine: () => undefined,
    });
    expect(end.exitCode).toBe(0);
    expect(await waitGone(Number((await readFile(pidFile, 'utf8')).trim()))).toBe(true);
  });

  it('hands stdout as bytes to a stream when given one, and still stderr line by line', async () => {
    const chunks: Buffer[] = [];
    const lines: Array<[string, boolean]> = [];
    const sink = new Writable({ write(chunk: Buffer, _e, done) { chunks.push(chunk); done(); } });
    const end = await runProcess({
      command: '/bin/sh', args: ['-c', 'echo one; echo two >&2; seq 1 100000'], cwd: dir, env,
      signal: new AbortController().signal, onLine: (l, e) => lines.push([l, e]), stdout: sink,
    });
    expect(end).toEqual({ exitCode: 0, signal: null });
    const text = Buffer.concat(chunks).toString();
    expect(text.startsWith('one\n1\n2\n')).toBe(true);
    expect(text.endsWith('99999\n100000\n')).toBe(true);
    expect(lines).toEqual([['two', true]]);
  });

  it('stops the process and rejects with the stream\'s error when the stream fails', async () => {
    const pidFile = join(dir, 'pids');
    const sink = new Writable({ write(_c, _e, done) { done(new Error('line 1 is not JSON')); } });
    await expect(runProcess({
      command: '/bin/sh', args: ['-c', `echo $$ > ${pidFile}; while true; do echo not-json; done`], cwd: dir, env,
      signal: new AbortController().signal, onLine: () => undefined, stdout: sink, killGraceMs: 100,
    })).rejects.toThrow('line 1 is not JSON');
    expect(await waitGone(Number((await readFile(pidFile, 'utf8')).trim()))).toBe(true);
  });

  it('fails clearly when the interpreter does not exist', async () => {
    await expect(runProcess({
      command: '/no/such/shell', args: [], cwd: dir, env, signal: new AbortController().signal, onLine: () => undefined,
    })).rejects.toMatchObject({ code: 'TASK_FAILED', message: 'cannot run /no/such/shell: ENOENT' });
  });

  it('knows a running process from a finished one', () => {
    expect(isRunning(process.pid)).toBe(true);
  });
});
