import { Readable } from 'node:stream';
import { readJsonLines } from '../../../../lib/plugins/serdes/json-lines';

const collect = async (chunks: (string | Buffer)[]) => {
  const out = [];
  for await (const l of readJsonLines(Readable.from(chunks), 'kestra:///f.jsonl')) out.push(l);
  return out;
};

describe('readJsonLines', () => {
  it('yields each value with its line number, across chunk boundaries', async () => {
    expect(await collect(['{"a":1}\n{"a"', ':2}\n[3]'])).toEqual([
      { line: 1, value: { a: 1 } }, { line: 2, value: { a: 2 } }, { line: 3, value: [3] },
    ]);
  });

  it('skips blank lines but counts them, and accepts CRLF', async () => {
    expect(await collect(['{"a":1}\r\n\r\n{"a":2}\r\n'])).toEqual([{ line: 1, value: { a: 1 } }, { line: 3, value: { a: 2 } }]);
  });

  it('decodes UTF-8 characters split between chunks', async () => {
    const bytes = Buffer.from('{"s":"é"}\n');
    expect(await collect([bytes.subarray(0, 7), bytes.subarray(7)])).toEqual([{ line: 1, value: { s: 'é' } }]);
  });

  it('names the line that is not JSON', async () => {
    await expect(collect(['{"a":1}\n{oops}\n'])).rejects.toMatchObject({ code: 'TASK_FAILED', message: expect.stringMatching(/^line 2 of kestra:\/\/\/f\.jsonl is not valid JSON/) });
  });
});
