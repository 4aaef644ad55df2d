import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';

const PROCESS = { type: 'io.kestra.plugin.core.runner.Process' };
const opts = { workerId: 'w' };

describe('node.Script and node.Commands', () => {
  it('runs an inline script with node, its outputs read through the protocol', async () => {
    const w = await fakeWorker({ variables: { inputs: { n: 5 } } });
    try {
      const out = await runAttempt(w.task('io.kestra.plugin.scripts.node.Script', {
        taskRunner: PROCESS,
        script: 'const n = {{ inputs.n }};\nconsole.log("::" + JSON.stringify({ outputs: { double: n * 2 } }) + "::");',
      }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { vars: { double: 10 } } } });
    } finally {
      await w.cleanup();
    }
  });

  it('runs commands, writing output files', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task('io.kestra.plugin.scripts.node.Commands', {
        taskRunner: PROCESS, outputFiles: ['out.json'],
        commands: ['node -e "require(\'fs\').writeFileSync(\'out.json\', JSON.stringify({ok: true}))"'],
      }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { outputFiles: { 'out.json': expect.stringMatching(/^kestra:\/\/\/.*\/out\.json$/) } } } });
    } finally {
      await w.cleanup();
    }
  });
});
