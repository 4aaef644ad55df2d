// Runs a fixture script in a child process (through scripts/run-ts.mjs) and reads its output lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';

const root = join(__dirname, '../../../..');

export interface Child {
  process: ChildProcess;
  /** Resolves with the first stdout line that satisfies `match`; rejects if the child exits first. */
  line(match: (line: string) => boolean): Promise<string>;
  /** Resolves once the child exited. */
  exited: Promise<void>;
}

export function runFixture(name: string, args: string[]): Child {
  const child = spawn(process.execPath, [join(root, 'scripts/run-ts.mjs'), join(__dirname, 'fixtures', name), ...args], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (d) => { out += d; for (const w of waiters.splice(0)) w(); });
  child.stderr!.on('data', (d) => { err += d; });
  const exited = new Promise<void>((resolve) => child.on('exit', () => {
    // run-ts.mjs bundles the script under node_modules/.cache, named by the child's pid.
    rmSync(join(root, 'node_modules/.cache/aloft-run', `${basename(name, '.ts')}-${child.pid}.cjs`), { force: true });
    for (const w of waiters.splice(0)) w();
    resolve();
  }));
  let done = false;
  void exited.then(() => { done = true; });
  return {
    process: child,
    exited,
    line: (match) => new Promise<string>((resolve, reject) => {
      const check = (): void => {
        const found = out.split('\n').find(match);
        if (found !== undefined) resolve(found);
        else if (done || child.exitCode !== null) reject(new Error(`${name} exited without the expected line; stdout: ${out} stderr: ${err}`));
        else waiters.push(check);
      };
      check();
    }),
  };
}
