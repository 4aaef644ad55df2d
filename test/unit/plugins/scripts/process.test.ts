import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('fails clearly when the interpreter does not exist', async () => {
    await expect(runProcess({
      command: '/no/such/shell', args: [], cwd: dir, env, signal: new AbortController().signal, onLine: () => undefined,
    })).rejects.toMatchObject({ code: 'TASK_FAILED', message: 'cannot run /no/such/shell: ENOENT' });
  });

  it('knows a running process from a finished one', () => {
    expect(isRunning(process.pid)).toBe(true);
  });
});
