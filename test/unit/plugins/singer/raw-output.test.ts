import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { CheckedLines } from '../../../../lib/plugins/singer/raw-output';

const RECORD = '{"type":"RECORD","stream":"s","record":{"id":1}}';

/** Feeds the chunks through CheckedLines; what came out, the count, or the error. */
async function check(chunks: string[]): Promise<{ out: string; count: number }> {
  const got: Buffer[] = [];
  const out = new Writable({ write(c: Buffer, _e, done) { got.push(c); done(); } });
  const lines = new CheckedLines(out, 'tap-x');
  await pipeline(Readable.from(chunks.map((c) => Buffer.from(c))), lines);
  return { out: Buffer.concat(got).toString(), count: lines.count };
}

describe('CheckedLines', () => {
  it('passes the bytes on unchanged and counts the messages, lines cut across chunks included', async () => {
    const text = `${RECORD}\n\n${RECORD}\r\n{"type":"STATE","value":{}}`;
    expect(await check([text.slice(0, 10), text.slice(10, 60), text.slice(60)])).toEqual({ out: text, count: 3 });
  });

  it('keeps a character cut between two chunks whole', async () => {
    const line = Buffer.from('{"type":"RECORD","stream":"é","record":{}}\n');
    const at = line.indexOf('é') + 1;
    const got: Buffer[] = [];
    const lines = new CheckedLines(new Writable({ write(c: Buffer, _e, done) { got.push(c); done(); } }), 'tap-x');
    await pipeline(Readable.from([line.subarray(0, at), line.subarray(at)]), lines);
    expect(lines.count).toBe(1);
    expect(Buffer.concat(got).equals(line)).toBe(true);
  });

  it('fails with the number and text of a malformed line, the last one without end included', async () => {
    await expect(check([`${RECORD}\n${RECORD}\nnot a mess`, 'age\n'])).rejects.toThrow('tap-x printed a malformed Singer message: line 3 is not JSON: not a message');
    await expect(check([`${RECORD}\n{"type":"RECORD"}`])).rejects.toThrow("line 2 is a RECORD without stream or record");
  });
});
