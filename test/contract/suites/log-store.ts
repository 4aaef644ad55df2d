// The LogStore contract: lines kept per execution, in append order, filtered by task run and level.
import type { LogLine, LogStore } from '../../../lib/ports/log-store';
import { unique } from './helpers';

export interface LogStoreFixture {
  logs: LogStore;
  cleanup(): Promise<void>;
}

const line = (executionId: string, over: Partial<LogLine> = {}): LogLine => ({
  executionId, flowId: 'f', namespace: 'io.aloft.tests', level: 'INFO', message: 'hello', timestamp: '2024-03-14T10:00:00.000Z', ...over,
});

export function logStoreContract(name: string, make: () => Promise<LogStoreFixture>): void {
  describe(`LogStore contract: ${name}`, () => {
    let fx: LogStoreFixture;
    let logs: LogStore;
    beforeEach(async () => {
      fx = await make();
      logs = fx.logs;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('returns an execution\'s lines in the order they were appended, intact', async () => {
      const id = unique('exec');
      const first = line(id, { taskRunId: 'r1', taskId: 't1', attempt: 0, message: 'one', timestamp: '2024-03-14T10:00:01.000Z' });
      const second = line(id, { taskRunId: 'r1', taskId: 't1', attempt: 0, message: 'two', timestamp: '2024-03-14T10:00:01.000Z' });
      await logs.append([first, second]);
      await logs.append([line(id, { message: 'three', timestamp: '2024-03-14T10:00:02.000Z' })]);
      const got = await logs.list(id);
      expect(got.map((l) => l.message)).toEqual(['one', 'two', 'three']);
      expect(got[0]).toEqual(first);
    });

    it('keeps executions apart', async () => {
      const a = unique('exec');
      const b = unique('exec');
      await logs.append([line(a, { message: 'for a' }), line(b, { message: 'for b' })]);
      expect((await logs.list(a)).map((l) => l.message)).toEqual(['for a']);
      expect(await logs.list(unique('none'))).toEqual([]);
    });

    it('filters by task run and by minimum level', async () => {
      const id = unique('exec');
      await logs.append([
        line(id, { taskRunId: 'r1', level: 'DEBUG', message: 'd1' }),
        line(id, { taskRunId: 'r1', level: 'WARN', message: 'w1' }),
        line(id, { taskRunId: 'r2', level: 'ERROR', message: 'e2' }),
        line(id, { taskRunId: 'r2', level: 'INFO', message: 'i2' }),
      ]);
      expect((await logs.list(id, { taskRunId: 'r1' })).map((l) => l.message)).toEqual(['d1', 'w1']);
      expect((await logs.list(id, { minLevel: 'WARN' })).map((l) => l.message)).toEqual(['w1', 'e2']);
      expect((await logs.list(id, { taskRunId: 'r2', minLevel: 'INFO' })).map((l) => l.message)).toEqual(['e2', 'i2']);
    });

    it('deletes every line of one execution and no other', async () => {
      const a = unique('exec');
      const b = unique('exec');
      await logs.append([line(a, { message: 'a1' }), line(b, { message: 'b1' })]);
      await logs.append([line(a, { message: 'a2' })]);
      await logs.delete(a);
      expect(await logs.list(a)).toEqual([]);
      expect((await logs.list(b)).map((l) => l.message)).toEqual(['b1']);
      await logs.delete(unique('none'));
    });

    it('accepts an empty batch', async () => {
      await logs.append([]);
      expect(await logs.list(unique('exec'))).toEqual([]);
    });
  });
}
