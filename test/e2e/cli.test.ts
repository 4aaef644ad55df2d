// The `aloft` command, driven in-process through main() and, for signals, as a real child process.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../lib/cli/main';
import type { CliIO } from '../../lib/cli/io';
import { tempDir } from '../helpers/temp-dirs';

const root = join(__dirname, '../..');
const ex = (name: string): string => join(root, 'examples', name);
const fx = (name: string): string => join(root, 'test/fixtures/flows', name);

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    env: { ALOFT_DATA_DIR: tempDir('aloft-cli-') },
    stdout: (s) => { out += s; },
    stderr: (s) => { err += s; },
    isTTY: false,
    onInterrupt: () => () => undefined,
  };
  const code = await main(args, io.env, io);
  return { code, out, err };
}

describe('aloft run', () => {
  it('exits 0 and prints one line per state change and the outputs for a successful flow', async () => {
    const r = await cli(['run', ex('hello.yml')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/task greet RUNNING/);
    expect(r.out).toMatch(/task greet SUCCESS/);
    expect(r.out).toContain('"value": "Hello, world!"');
  });

  it('prints the final execution as Kestra-shaped JSON with --json', async () => {
    const r = await cli(['run', ex('hello.yml'), '--input', 'who=json', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.state.current).toBe('SUCCESS');
    expect(doc.state.histories.map((h: { state: string }) => h.state)).toEqual(['CREATED', 'RUNNING', 'SUCCESS']);
    expect(doc.inputs).toEqual({ who: 'json' });
    // Kestra's place for task outputs is their task run; `outputs` holds only the flow's own outputs.
    expect(doc).not.toHaveProperty('outputs');
    expect(doc.taskRunList[0]).toEqual(expect.objectContaining({ id: expect.any(String), taskId: 'greet', state: expect.any(Object), attempts: expect.any(Array), outputs: { value: 'Hello, json!' } }));
  });

  it('exits 1 when the execution fails', async () => {
    const r = await cli(['run', ex('errors.yml')]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('something broke');
  });

  it('exits 2 with file, line and column for invalid YAML', async () => {
    const r = await cli(['run', fx('bad-yaml.yml')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad-yaml\.yml:\d+:\d+/);
  });

  it('exits 2 and suggests the closest type for an unknown task type', async () => {
    const r = await cli(['run', fx('unknown-type.yml')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('io.kestra.core.tasks.debugs.Retrun');
    expect(r.err).toContain('io.kestra.core.tasks.debugs.Return');
  });

  it('exits 2 naming an unknown property, its line and the closest valid name', async () => {
    const r = await cli(['run', fx('unknown-property.yml')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown-property\.yml:6:\d+/);
    expect(r.err).toContain('formt');
    expect(r.err).toContain('format');
    expect(r.err).toContain('task a');
  });

  it('fails clearly on a cycle of subflows instead of recursing', async () => {
    const r = await cli(['run', fx('cycle/a.yml'), '--flows', fx('cycle')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/subflow cycle: test\.cycle\.a -> test\.cycle\.b -> test\.cycle\.a/);
  });

  it('exits 2 for a wrong input type, naming the input', async () => {
    const r = await cli(['run', ex('inputs-file.yml'), '--input', 'count=many', '--file', `data=${ex('files/data.csv')}`]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/count/);
  });

  it('points each bad input at its declaration in the flow file, all at once', async () => {
    const r = await cli(['run', ex('inputs-file.yml'), '--input', 'count=x', '--input', 'when=yesterday']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/inputs-file\.yml:8:5: flow io\.aloft\.examples\.inputs-file, property inputs\.count: input 'count': expected INT/);
    expect(r.err).toMatch(/inputs-file\.yml:14:5: .*property inputs\.when: .*DATETIME/);
    expect(r.err).toMatch(/inputs-file\.yml:18:5: .*missing required input 'data'/);
  });

  it('exits 2 naming the input when a --file path is missing or not a file', async () => {
    const missing = await cli(['run', ex('inputs-file.yml'), '--input', 'count=1', '--file', 'data=/does/not/exist.csv']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/inputs-file\.yml:18:5: .*input 'data': file \/does\/not\/exist\.csv does not exist/);
    const dir = await cli(['run', ex('inputs-file.yml'), '--input', 'count=1', '--file', `data=${tmpdir()}`]);
    expect(dir.code).toBe(2);
    expect(dir.err).toMatch(/input 'data': .* is not a file/);
  });

  it('exits 2 for a missing required input', async () => {
    const r = await cli(['run', ex('inputs-file.yml'), '--input', 'count=1']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/data/);
  });

  it('fails the task with a message naming the variable when a template breaks at run time', async () => {
    const r = await cli(['run', fx('broken-template.yml')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/outputs\.nope/);
    expect(r.out + r.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 2 when the flow file does not exist', async () => {
    const r = await cli(['run', fx('does-not-exist.yml')]);
    expect(r.code).toBe(2);
  });

  it('exits 2 with a clear message, not 1, when given a folder', async () => {
    const r = await cli(['run', join(root, 'examples')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('this is a folder: aloft run takes one flow file (a folder of the flows it calls goes in --flows)');
  });

  it('warns about an --input the flow does not declare, naming the inputs it does declare', async () => {
    const r = await cli(['run', ex('hello.yml'), '--input', 'woh=typo']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: input 'woh' is not declared by flow \S+\.hello and is ignored \(its inputs: who; did you mean 'who'\?\)/);
  });
});

describe('aloft --version and plugins list', () => {
  it('prints the version of package.json', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`);
  });

  it('lists every task type with its group and status, and as JSON with --json', async () => {
    const text = await cli(['plugins', 'list']);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^io\.kestra\.plugin\.gcp\.vertexai\.CustomJob +gcp +runs$/m);
    expect(text.out).toMatch(/^io\.kestra\.core\.tasks\.scripts\.Bash +scripts +runs$/m);
    const json = JSON.parse((await cli(['plugins', 'list', '--json'])).out);
    expect(json).toContainEqual({ type: 'io.kestra.core.tasks.flows.Parallel', aliases: ['io.kestra.plugin.core.flow.Parallel'], kind: 'flowable', group: 'executor', status: 'runs' });
  });
});

describe('aloft run with other flows', () => {
  it('fires the flow triggers of --flows and waits for the executions they start and for fire-and-forget subflows', async () => {
    const r = await cli(['run', fx('upstream.yml'), '--flows', fx('run-followers')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/execution \S+ of test\.followers\.slow-child \(subflow of \S+\)/);
    expect(r.out).toMatch(/execution \S+ of test\.followers\.slow-child SUCCESS/);
    expect(r.out).toMatch(/execution \S+ of test\.followers\.downstream \(triggered by Flow on-upstream\)/);
    expect(r.out).toMatch(/execution \S+ of test\.followers\.downstream SUCCESS/);
    expect(r.out).not.toMatch(/was killed/);
  });
});

describe('aloft validate', () => {
  it('exits 0 for valid flows and 2 listing every invalid one', async () => {
    expect((await cli(['validate', ex('hello.yml'), ex('each.yml')])).code).toBe(0);
    const bad = await cli(['validate', ex('hello.yml'), fx('bad-yaml.yml'), fx('unknown-type.yml')]);
    expect(bad.code).toBe(2);
    expect(bad.out + bad.err).toContain('bad-yaml.yml');
    expect(bad.out + bad.err).toContain('unknown-type.yml');
  });
});

describe('Ctrl-C during aloft run', () => {
  const bin = join(root, 'bin/aloft.js');

  /** Starts `aloft run` on a flow whose script writes its pids, and resolves once the script runs. */
  async function startSleeping(flow: string): Promise<{ child: ReturnType<typeof spawn>; pidfile: string; out: () => string }> {
    if (!existsSync(join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
    const dir = tempDir('aloft-sigint-');
    const pidfile = join(dir, 'pids');
    const child = spawn(process.execPath, [bin, 'run', fx(flow), '--input', `pidfile=${pidfile}`, '--json'], {
      env: { ...process.env, ALOFT_DATA_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => { out += d; });
    child.stderr!.on('data', () => undefined);
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (existsSync(pidfile) && readFileSync(pidfile, 'utf8').trim().split('\n').length >= 2) { clearInterval(poll); resolve(); }
      }, 50);
      child.on('exit', () => { clearInterval(poll); reject(new Error('aloft exited before the script started')); });
    });
    return { child, pidfile, out: () => out };
  }

  const exited = (child: ReturnType<typeof spawn>): Promise<number | null> => new Promise((resolve) => child.on('exit', (c) => resolve(c)));
  const pidsIn = (pidfile: string): number[] => readFileSync(pidfile, 'utf8').trim().split('\n').map(Number);

  it('kills the execution, ends KILLED with exit code 1 and leaves no process behind', async () => {
    const { child, pidfile, out } = await startSleeping('long-sleep.yml');
    child.kill('SIGINT');
    expect(await exited(child)).toBe(1);
    expect(JSON.parse(out()).state.current).toBe('KILLED');
    for (const pid of pidsIn(pidfile)) expect(await diesWithin(pid, 10_000)).toBe(true);
  }, 60_000);

  it('stops at once on a second Ctrl-C and still leaves no process behind, even one that ignores SIGTERM', async () => {
    const { child, pidfile } = await startSleeping('stubborn-sleep.yml');
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGINT');
    expect(await exited(child)).toBe(130);
    for (const pid of pidsIn(pidfile)) expect(await diesWithin(pid, 10_000)).toBe(true);
  }, 60_000);
});

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** A signalled process may take a moment to exit; poll rather than assert on timing. */
async function diesWithin(pid: number, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 50) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}
