import { ScriptLines } from '../../../../lib/plugins/scripts/script-lines';
import { fakeTaskContext } from '../../../../lib/worker/testing';

describe('ScriptLines', () => {
  it('counts lines, logs them in its style and keeps protocol outputs, __proto__ as a plain key', async () => {
    const w = await fakeTaskContext();
    try {
      const lines = new ScriptLines(w.ctx, { stdout: 'DEBUG', stderr: 'WARN', logCommands: false });
      lines.onLine('out', false);
      lines.onLine('err', true);
      lines.onLine('::{"outputs":{"__proto__":{"polluted":1},"a":2}}::', false);
      expect(lines.stdOutLineCount).toBe(2);
      expect(lines.stdErrLineCount).toBe(1);
      expect(Object.keys(lines.vars).sort()).toEqual(['__proto__', 'a']);
      expect((lines.vars as { polluted?: unknown }).polluted).toBeUndefined();
      await w.ctx.close();
      expect((await w.logLines()).map((l) => [l.level, l.message])).toEqual([['DEBUG', 'out'], ['WARN', 'err']]);
    } finally {
      await w.cleanup();
    }
  });

  it('names the exit code or the signal, with the last ten lines of stderr', async () => {
    const w = await fakeTaskContext();
    try {
      const lines = new ScriptLines(w.ctx, { stdout: 'INFO', stderr: 'ERROR', logCommands: true });
      for (let i = 0; i < 12; i++) lines.onLine(`e${i}`, true);
      expect(lines.failure({ exitCode: 0, signal: null })).toBeUndefined();
      expect(lines.failure({ exitCode: 3, signal: null })?.message).toBe(`Command failed with exit code 3; last lines of stderr:\n${['e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9', 'e10', 'e11'].join('\n')}`);
      expect(lines.failure({ exitCode: null, signal: 'SIGKILL' })?.message).toMatch(/^Command was stopped by SIGKILL; /);
    } finally {
      await w.cleanup();
    }
  });

  it('carries its outputs, counts and stderr tail through a JSON snapshot into another invocation\'s lines, and ignores a snapshot it cannot read', async () => {
    const w = await fakeTaskContext();
    try {
      const before = new ScriptLines(w.ctx, { stdout: 'INFO', stderr: 'ERROR', logCommands: false });
      before.onLine('::{"outputs":{"__proto__":{"polluted":1},"a":1}}::', false);
      before.onLine('e1', true);
      const after = new ScriptLines(w.ctx, { stdout: 'INFO', stderr: 'ERROR', logCommands: false });
      after.restore(JSON.parse(JSON.stringify(before.snapshot())));
      after.onLine('::{"outputs":{"b":2}}::', false);
      after.onLine('e2', true);
      expect(Object.keys(after.vars).sort()).toEqual(['__proto__', 'a', 'b']);
      expect((after.vars as { polluted?: unknown }).polluted).toBeUndefined();
      expect([after.stdOutLineCount, after.stdErrLineCount]).toEqual([2, 2]);
      expect(after.failure({ exitCode: 1, signal: null })?.message).toBe('Command failed with exit code 1; last lines of stderr:\ne1\ne2');

      const fresh = new ScriptLines(w.ctx, { stdout: 'INFO', stderr: 'ERROR', logCommands: false });
      fresh.restore(undefined);
      fresh.restore({ vars: 'no' });
      expect(fresh.snapshot()).toEqual({ vars: {}, stdOutLineCount: 0, stdErrLineCount: 0, stderrTail: [] });
    } finally {
      await w.cleanup();
    }
  });
});
