import { AttemptLogger, SecretMask, parseLevel } from '../../../lib/worker/logger';
import { MemoryLogStore } from '../../../lib/adapters/local';
import type { LogLine, LogStore } from '../../../lib/ports/log-store';

const labels = { executionId: 'e1', taskRunId: 'r1', taskId: 't1', attempt: 2, flowId: 'f', namespace: 'io.n' };
const clock = { now: () => new Date('2024-03-14T10:00:00.000Z') };

describe('AttemptLogger', () => {
  it('writes one structured JSON object per line for Cloud Logging', () => {
    const out: Record<string, unknown>[] = [];
    const logger = new AttemptLogger(labels, undefined, clock, new SecretMask(), 'INFO', (l) => out.push(l));
    logger.warn('careful');
    const l = { executionId: 'e1', taskRunId: 'r1', flowId: 'f', namespace: 'io.n' };
    expect(out).toEqual([{
      severity: 'WARNING', message: 'careful', time: '2024-03-14T10:00:00.000Z', taskId: 't1', attempt: 2, labels: l, 'logging.googleapis.com/labels': l,
    }]);
  });

  it('batches lines into the log store and sends them on close', async () => {
    const appended: LogLine[][] = [];
    const store: LogStore = { append: async (lines) => { appended.push([...lines]); }, list: async () => [], delete: async () => undefined };
    const logger = new AttemptLogger(labels, store, clock, new SecretMask(), 'INFO');
    logger.info('a');
    logger.info('b');
    expect(appended).toEqual([]);
    await logger.close();
    expect(appended.map((b) => b.map((l) => l.message))).toEqual([['a', 'b']]);
  });

  it('sends a full batch without waiting for close', async () => {
    const store = new MemoryLogStore();
    const logger = new AttemptLogger(labels, store, clock, new SecretMask(), 'INFO');
    for (let i = 0; i < 200; i++) logger.info(`line ${i}`);
    await new Promise((r) => setImmediate(r));
    expect(await store.list('e1')).toHaveLength(200);
    await logger.close();
  });

  it('needs no await when nothing was logged', () => {
    const logger = new AttemptLogger(labels, new MemoryLogStore(), clock, new SecretMask(), 'INFO');
    logger.debug('below the level');
    expect(logger.close()).toBeUndefined();
  });

  it('never fails the task when the log store fails', async () => {
    const out: Record<string, unknown>[] = [];
    const store: LogStore = { append: async () => { throw new Error('down'); }, list: async () => [], delete: async () => undefined };
    const logger = new AttemptLogger(labels, store, clock, new SecretMask(), 'INFO', (l) => out.push(l));
    logger.info('x');
    await expect(logger.close()).resolves.toBeUndefined();
    expect(out.some((l) => String(l.message).includes('could not be stored: down'))).toBe(true);
  });

  it('keeps at most 8 Mi characters of logs per attempt, cuts long lines, and says how many lines it dropped', async () => {
    const store = new MemoryLogStore();
    const logger = new AttemptLogger(labels, store, clock, new SecretMask(), 'INFO');
    logger.info('y'.repeat(100_000));
    for (let i = 0; i < 200; i++) logger.info('x'.repeat(65_536));
    await logger.close();
    const lines = await store.list('e1');
    expect(lines[0].message).toBe(`${'y'.repeat(65_536)}… [line cut at 65536 characters]`);
    const kept = lines.reduce((n, l) => n + l.message.length, 0);
    expect(kept).toBeLessThan(8 * 1024 * 1024 + 2 * 65_536);
    expect(lines.slice(-2).map((l) => [l.level, l.message])).toEqual([
      ['WARN', "the task's logs reached 8388608 characters; later lines are dropped"],
      ['WARN', '73 log lines were dropped past the limit'],
    ]);
  });

  it('masks secret values, the longest first', async () => {
    const mask = new SecretMask();
    mask.add('abc');
    mask.add('abcdef');
    const store = new MemoryLogStore();
    const logger = new AttemptLogger(labels, store, clock, mask, 'INFO');
    logger.info('token abcdef and abc');
    await logger.close();
    expect((await store.list('e1'))[0].message).toBe('token ****** and ******');
  });

  it('masks each line of a multi-line secret on its own, and its JSON-escaped form', () => {
    const mask = new SecretMask();
    mask.add('-----BEGIN KEY-----\r\nMIIEvQIBADANBg\n}\n-----END KEY-----');
    expect(mask.apply('MIIEvQIBADANBg')).toBe('******');
    expect(mask.apply('  -----END KEY-----  ')).toBe('  ******  ');
    expect(mask.apply('{"k":"-----BEGIN KEY-----\\r\\nMIIEvQIBADANBg\\n}\\n-----END KEY-----"}')).toBe('{"k":"******"}');
    // A line too short to be telling is left alone.
    expect(mask.apply('a } b')).toBe('a } b');
  });

  it('masks a long secret cut short, wherever the cut falls past 16 characters', () => {
    const secret = 'sk-live-0123456789abcdefghijklmnopqrstuvwxyz0123456789';
    const mask = new SecretMask();
    mask.add(secret);
    expect(mask.apply(`value '${secret.slice(0, 40)}…' is not a number`)).toBe("value '******…' is not a number");
    expect(mask.apply(`a ${secret.slice(0, 16)} b ${secret} c`)).toBe('a ****** b ****** c');
    expect(mask.apply(`short ${secret.slice(0, 15)}`)).toBe(`short ${secret.slice(0, 15)}`);
  });
});

describe('parseLevel', () => {
  it('reads a level in any case and falls back for unknown ones', () => {
    expect(parseLevel('debug', 'INFO')).toBe('DEBUG');
    expect(parseLevel('WARNING', 'INFO')).toBe('WARN');
    expect(parseLevel('LOUD', 'INFO')).toBe('INFO');
    expect(parseLevel(undefined, 'ERROR')).toBe('ERROR');
  });
});
