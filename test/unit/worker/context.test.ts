import { access } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fakeTaskContext } from '../../../lib/worker/testing';

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const c of stream) out += String(c);
  return out;
}

describe('createTaskContext', () => {
  it('renders uuid() and randomInt() in task properties, a new value each time', async () => {
    const f = await fakeTaskContext();
    try {
      const [a, b] = await Promise.all([f.ctx.render<string>('{{ uuid() }}'), f.ctx.render<string>('{{ uuid() }}')]);
      expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(a).not.toBe(b);
      expect(await f.ctx.render('{{ randomInt(7, 8) }}')).toBe(7);
    } finally {
      await f.cleanup();
    }
  });

  it('stores a task file under the task run folder and reads it back', async () => {
    const f = await fakeTaskContext({ taskId: 'extract' });
    try {
      const { uri, size } = await f.ctx.storage.put('out.csv', 'a,b\n');
      const e = f.execution;
      expect(uri).toBe(`kestra:///io/aloft/tests/test/executions/${e.id}/tasks/extract/${f.ctx.taskRun.id}/out.csv`);
      expect(size).toBe(4);
      expect(await text(await f.ctx.storage.get(uri))).toBe('a,b\n');
    } finally {
      await f.cleanup();
    }
  });

  it("refuses to read another execution's files with STORAGE_FORBIDDEN", async () => {
    const f = await fakeTaskContext();
    try {
      const other = 'kestra:///io/aloft/tests/test/executions/someone-else/tasks/t/r/secret.txt';
      await f.blobs.put(other, 'private');
      await expect(f.ctx.storage.get(other)).rejects.toMatchObject({ code: 'STORAGE_FORBIDDEN' });
      await expect(f.ctx.storage.get('kestra:///io/aloft/tests/test/executions/x/../../../../etc/passwd')).rejects.toMatchObject({ code: 'STORAGE_FORBIDDEN' });
    } finally {
      await f.cleanup();
    }
  });

  it('reads the files of the execution that triggered this one', async () => {
    const trigger = { executionId: 'parent1', namespace: 'io.other', flowId: 'upstream' };
    const f = await fakeTaskContext({ variables: { trigger } });
    try {
      const uri = 'kestra:///io/other/upstream/executions/parent1/tasks/t/r/data.jsonl';
      await f.blobs.put(uri, '{"a":1}\n');
      expect(await text(await f.ctx.storage.get(uri))).toBe('{"a":1}\n');
    } finally {
      await f.cleanup();
    }
  });

  it('writes and streams back JSON Lines row files', async () => {
    const f = await fakeTaskContext();
    try {
      async function* rows() {
        for (let i = 0; i < 5000; i++) yield { i, name: `row ${i}` };
      }
      const written = await f.ctx.storage.writeRows('rows.jsonl', rows());
      expect(written.rows).toBe(5000);
      let count = 0;
      let last: Record<string, unknown> | undefined;
      for await (const row of f.ctx.storage.readRows(written.uri)) {
        count++;
        last = row;
      }
      expect(count).toBe(5000);
      expect(last).toEqual({ i: 4999, name: 'row 4999' });
    } finally {
      await f.cleanup();
    }
  });

  it('fails naming the line when a row file holds something that is not a JSON object', async () => {
    const f = await fakeTaskContext();
    try {
      const { uri } = await f.ctx.storage.put('bad.jsonl', '{"a":1}\n\nnot json\n');
      const read = async () => { for await (const _ of f.ctx.storage.readRows(uri)) { /* drain */ } };
      await expect(read()).rejects.toMatchObject({ code: 'TASK_FAILED', message: expect.stringContaining('line 3') });
    } finally {
      await f.cleanup();
    }
  });

  it('renders with extra variables and the task run variables', async () => {
    const f = await fakeTaskContext({ variables: { inputs: { name: 'ada' } } });
    try {
      expect(await f.ctx.render('{{ inputs.name }}-{{ row.id }}', { row: { id: 7 } })).toBe('ada-7');
      expect(await f.ctx.render({ list: ['{{ inputs.name }}'] })).toEqual({ list: ['ada'] });
    } finally {
      await f.cleanup();
    }
  });

  it('reads secrets and says which one is missing', async () => {
    const f = await fakeTaskContext({ env: { SECRET_PG: Buffer.from('pw').toString('base64') } });
    try {
      expect(await f.ctx.secret('PG')).toBe('pw');
      await expect(f.ctx.secret('NOPE')).rejects.toMatchObject({ code: 'NOT_FOUND', message: "secret 'NOPE' does not exist" });
    } finally {
      await f.cleanup();
    }
  });

  it('makes one scratch folder on demand and removes it on close', async () => {
    const f = await fakeTaskContext();
    try {
      const dir = await f.ctx.tempDir();
      expect(await f.ctx.tempDir()).toBe(dir);
      await access(dir);
      await f.ctx.close();
      await expect(access(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await f.cleanup();
    }
  });

  it('sums the metrics a task records', async () => {
    const f = await fakeTaskContext();
    try {
      expect(f.ctx.recordedMetrics()).toBeUndefined();
      f.ctx.metrics.counter('rows', 2);
      f.ctx.metrics.counter('rows', 3);
      f.ctx.metrics.timer('fetch', 12);
      expect(f.ctx.recordedMetrics()).toEqual({ rows: 5, fetch: 12 });
    } finally {
      await f.cleanup();
    }
  });

  it('stores log lines labelled with the execution and task run', async () => {
    const f = await fakeTaskContext({ taskId: 'log-me' });
    try {
      f.ctx.logger.info('hello');
      await f.ctx.close();
      expect(await f.logLines()).toEqual([expect.objectContaining({
        executionId: f.execution.id, taskRunId: f.ctx.taskRun.id, taskId: 'log-me', attempt: 0, flowId: 'test',
        namespace: 'io.aloft.tests', level: 'INFO', message: 'hello',
      })]);
    } finally {
      await f.cleanup();
    }
  });

  it('gives templates the clear text of a SECRET input and masks it in logs, errors and outputs', async () => {
    const f = await fakeTaskContext({ variables: { inputs: { user: 'ada', pw: { type: 'aloft.datatype:secret', value: 'hunter2-s3cret' } } } });
    try {
      expect(await f.ctx.render('{{ inputs.pw }}')).toBe('hunter2-s3cret');
      f.ctx.logger.info(`using ${await f.ctx.render<string>('{{ inputs.user }}:{{ inputs.pw }}')}`);
      expect(f.ctx.mask('failed with hunter2-s3cret')).toBe('failed with ******');
      expect(f.ctx.maskValue({ token: 'hunter2-s3cret' })).toEqual({ token: '******' });
      await f.ctx.close();
      expect((await f.logLines()).map((l) => l.message)).toEqual(['using ada:******']);
    } finally {
      await f.cleanup();
    }
  });
});
