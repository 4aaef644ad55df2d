import { Readable } from 'node:stream';
import { readJsonArray, readJsonLines } from '../../../../lib/plugins/serdes/json-lines';

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

describe('readJsonArray', () => {
  const collectArray = async (chunks: string[]) => {
    const out = [];
    for await (const l of readJsonArray(Readable.from(chunks), 'kestra:///a.json')) out.push(l);
    return out;
  };

  it('streams the elements of a top-level array, with the line each starts on', async () => {
    expect(await collectArray(['[\n {"a": "x,]"},', '\n [1, [2]],\n "s"\n]\n'])).toEqual([
      { line: 2, value: { a: 'x,]' } }, { line: 3, value: [1, [2]] }, { line: 4, value: 's' },
    ]);
  });

  it('reads an empty array as no rows and a single object as one row', async () => {
    expect(await collectArray(['  [ ] '])).toEqual([]);
    expect(await collectArray(['{"a":', '1}'])).toEqual([{ line: 1, value: { a: 1 } }]);
  });

  it('handles escaped quotes inside strings', async () => {
    expect(await collectArray(['["a\\"]", "b"]'])).toEqual([{ line: 1, value: 'a"]' }, { line: 1, value: 'b' }]);
  });

  it('fails on a truncated array and on text after it', async () => {
    await expect(collectArray(['[1, 2'])).rejects.toThrow(/ends inside a JSON array/);
    await expect(collectArray(['[1]\nx'])).rejects.toThrow(/line 2 of kestra:\/\/\/a\.json: unexpected text after the JSON array/);
  });
});
