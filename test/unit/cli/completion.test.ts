import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import type { CliIO } from '../../../lib/cli/io';
import { main } from '../../../lib/cli/main';
import { tempDir } from '../../helpers/temp-dirs';

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { env, isTTY: false, stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, onInterrupt: () => () => undefined };
  const code = await main(args, env, io);
  return { code, out, err };
}

/** What the completion script asks for when Tab is pressed at the end of `line`. */
const ask = (line: string, shell = 'bash') => cli(['completion-server', '--', ...line.split(' ')], {
  COMP_LINE: line, COMP_POINT: String(line.length), COMP_CWORD: String(line.split(' ').length - 1), SHELL: shell,
});

describe('aloft completion', () => {
  it('prints a bash script that registers the completion of aloft and calls it back', async () => {
    const r = await cli(['completion', 'bash']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('complete -o default -F _aloft_completion aloft');
    expect(r.out).toContain('aloft completion-server -- "${words[@]}"');
  });

  it('prints a zsh script', async () => {
    const r = await cli(['completion', 'zsh']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^#compdef aloft\n/);
    expect(r.out).toContain('compdef _aloft_completion aloft');
  });

  it('refuses another shell with exit 2, naming the ones it has', async () => {
    const r = await cli(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("aloft completion: no completion for 'tcsh'; choose bash or zsh\n");
  });

  it('answers the commands, then the subcommands, then the options, from the command tree', async () => {
    const top = (await ask('aloft ')).out.split('\n').filter(Boolean);
    expect(top).toEqual(expect.arrayContaining(['run', 'validate', 'server', 'flow', 'execution', 'plugins', 'completion']));
    expect(top).not.toContain('completion-server');
    expect((await ask('aloft execution re')).out).toBe('restart\nreplay\nresume\n');
    expect((await ask('aloft run --j')).out).toBe('--json\n');
    expect((await ask('aloft run ')).out).toBe('__tabtab_complete_files__\n');
  });

  it('gives zsh each command with its description', async () => {
    expect((await ask('aloft execution del', 'zsh')).out).toMatch(/^delete:delete an ended execution/);
  });

  describe('in a real bash', () => {
    let dir: string;
    let bundle: string;
    beforeAll(() => {
      // `aloft` on the PATH is the CLI bundled from the sources (its bare imports resolve from node_modules).
      const cache = resolve('node_modules/.cache/aloft-test');
      mkdirSync(cache, { recursive: true });
      bundle = join(cache, `aloft-completion-${process.pid}.cjs`);
      const entry = "require('./main').main(process.argv.slice(2), process.env).then((c) => { process.exitCode = c; });";
      buildSync({ stdin: { contents: entry, resolveDir: resolve('lib/cli'), loader: 'ts' }, outfile: bundle, bundle: true, platform: 'node', format: 'cjs', packages: 'external', logLevel: 'error' });
      dir = tempDir('aloft-completion-');
      writeFileSync(join(dir, 'aloft'), `#!/bin/sh\nexec node ${bundle} "$@"\n`);
      chmodSync(join(dir, 'aloft'), 0o755);
    });
    afterAll(() => { rmSync(bundle, { force: true }); });

    it('completes `aloft exe` to execution and `aloft execution de` to delete through the sourced script', () => {
      const complete = (words: string[]): string[] => {
        const line = words.join(' ');
        const script = `source <(aloft completion bash)
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMP_LINE='${line}'; COMP_POINT=${line.length}
_aloft_completion; printf '%s\\n' "\${COMPREPLY[@]}"`;
        return execFileSync('bash', ['-c', script], { env: { PATH: `${dir}:${process.env.PATH}`, HOME: dir }, encoding: 'utf8' }).split('\n').filter(Boolean);
      };
      expect(complete(['aloft', 'exe'])).toEqual(['execution']);
      expect(complete(['aloft', 'execution', 'de'])).toEqual(['delete']);
    }, 30_000);
  });
});
