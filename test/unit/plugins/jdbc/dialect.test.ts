import { eventQueue, plainValue, rowFactory, toBase64 } from '../../../../lib/plugins/jdbc/dialect';

describe('rowFactory', () => {
  const same = (v: unknown) => v;

  it('maps values to column names, converting all but NULL', () => {
    const build = rowFactory(['a', 'b', 'c']);
    expect(build([1, null, undefined], [(v) => Number(v) * 2, same, same])).toEqual({ a: 2, b: null, c: null });
  });

  it('keeps the last value of a duplicated column name, at its first position', () => {
    expect(Object.entries(rowFactory(['a', 'b', 'a'])([1, 2, 3], [same, same, same]))).toEqual([['a', 3], ['b', 2]]);
  });

  it('keeps a column named __proto__ as a plain property', () => {
    const row = rowFactory(['__proto__', 'x'])(['p', 1], [same, same]);
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(JSON.stringify(row)).toBe('{"__proto__":"p","x":1}');
  });
});

describe('values', () => {
  it('encodes binary as base64', () => {
    expect(toBase64(Buffer.from([1, 2, 255]))).toBe('AQL/');
    expect(toBase64(new Uint8Array([1, 2, 255]))).toBe('AQL/');
  });

  it('binds structured values as JSON text and undefined as NULL', () => {
    expect(plainValue({ a: [1] })).toBe('{"a":[1]}');
    expect(plainValue(undefined)).toBeNull();
    expect(plainValue('x')).toBe('x');
  });
});

describe('eventQueue', () => {
  it('pauses the producer at the high-water mark and resumes it once drained', async () => {
    const calls: string[] = [];
    const q = eventQueue<number>({ highWaterMark: 4, pause: () => calls.push('pause'), resume: () => calls.push('resume') });
    for (let i = 0; i < 5; i++) q.push(i);
    q.end();
    expect(calls).toEqual(['pause']);
    const seen: number[] = [];
    for await (const n of q.iterable) seen.push(n);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(calls).toEqual(['pause', 'resume']);
  });

  it('delivers items pushed while the consumer waits, then the failure', async () => {
    const q = eventQueue<number>({ highWaterMark: 10, pause: () => undefined, resume: () => undefined });
    const it = q.iterable[Symbol.asyncIterator]();
    const first = it.next();
    q.push(7);
    await expect(first).resolves.toEqual({ value: 7, done: false });
    q.fail(new Error('boom'));
    await expect(it.next()).rejects.toThrow('boom');
  });

  it('tells the producer when the consumer stops early', async () => {
    let stopped = false;
    const q = eventQueue<number>({ highWaterMark: 10, pause: () => undefined, resume: () => undefined, onReturn: () => { stopped = true; } });
    q.push(1);
    q.push(2);
    for await (const _ of q.iterable) break;
    expect(stopped).toBe(true);
  });
});
