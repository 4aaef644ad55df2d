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
});
