import { text } from 'node:stream/consumers';
import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';
import type { LogLine } from '../../../../lib/ports/log-store';

const opts = { workerId: 'w' };
const FETCH = 'io.kestra.plugin.core.log.Fetch';

describe('log.Fetch', () => {
  let w: Awaited<ReturnType<typeof fakeWorker>>;
  const line = (over: Partial<LogLine>): LogLine => ({
    executionId: 'other', flowId: 'f', namespace: 'io.aloft.tests', level: 'INFO', message: 'm', timestamp: '2024-03-14T10:00:00.000Z', ...over,
  });
  beforeEach(async () => {
    w = await fakeWorker();
    await w.logs.append([
      line({ executionId: w.execution.id, flowId: 'test', taskId: 'a', message: 'a info' }),
      line({ executionId: w.execution.id, flowId: 'test', taskId: 'b', level: 'DEBUG', message: 'b debug' }),
      line({ executionId: w.execution.id, flowId: 'test', taskId: 'b', level: 'ERROR', message: 'b error' }),
      line({ executionId: 'same-ns', message: 'sibling' }),
      line({ executionId: 'elsewhere', namespace: 'io.other', message: 'secret stuff' }),
    ]);
  });
  afterEach(() => w.cleanup());

  async function run(task: Record<string, unknown>) {
    const out = await runAttempt(w.task(FETCH, { id: 'fetch', ...task }), w.deps, opts);
    if (out.kind !== 'result') throw new Error('expected a result');
    return out.result;
  }

  async function rows(uri: string): Promise<Array<Record<string, unknown>>> {
    const body = await text(await w.blobs.get(uri));
    return body.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  it('writes this execution\'s lines at INFO and above into a file, one JSON object a line', async () => {
    const r = await run({});
    expect(r).toMatchObject({ state: 'SUCCESS', outputs: { size: 2 } });
    expect((await rows(r.outputs!.uri as string)).map((l) => l.message)).toEqual(['a info', 'b error']);
  });

  it('keeps only the lines of the tasks named in tasksId, down to the level asked', async () => {
    const r = await run({ tasksId: ['b'], level: 'DEBUG' });
    expect((await rows(r.outputs!.uri as string)).map((l) => l.message)).toEqual(['b debug', 'b error']);
  });

  it('reads another execution of the same namespace', async () => {
    const r = await run({ executionId: 'same-ns' });
    expect((await rows(r.outputs!.uri as string)).map((l) => l.message)).toEqual(['sibling']);
  });

  it('refuses the logs of an execution of another namespace, without showing them', async () => {
    const r = await run({ executionId: 'elsewhere' });
    expect(r).toMatchObject({ state: 'FAILED', error: { code: 'FORBIDDEN', message: expect.stringContaining('execution elsewhere is not of namespace io.aloft.tests') } });
    expect(JSON.stringify(r)).not.toContain('secret stuff');
    expect(await run({ namespace: 'io.other', executionId: 'elsewhere' })).toMatchObject({ state: 'FAILED', error: { code: 'FORBIDDEN' } });
  });
});
