import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linesFromEnd } from '../../../../lib/plugins/core/storage-lines';

describe('linesFromEnd', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'aloft-lines-')); });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function lines(content: string | Buffer): Promise<string[]> {
    const path = join(dir, 'f');
    await writeFile(path, content);
    const out: string[] = [];
    for await (const l of linesFromEnd(path)) out.push(l.toString('utf8'));
    return out;
  }

  it("reads lines last first, as Java's BufferedReader splits them", async () => {
    expect(await lines('')).toEqual([]);
    expect(await lines('a')).toEqual(['a']);
    expect(await lines('a\nb\n')).toEqual(['b', 'a']);
    expect(await lines('a\r\nb\r\n')).toEqual(['b', 'a']);
    expect(await lines('a\n\nb')).toEqual(['b', '', 'a']);
    expect(await lines('\n')).toEqual(['']);
  });

  it('keeps lines and multi-byte characters whole across its 64 KiB reads', async () => {
    const long = 'é'.repeat(50_000);
    const content = ['first', long, 'ünïcode', long, 'last'].join('\n');
    expect(await lines(content)).toEqual(['last', long, 'ünïcode', long, 'first']);
  });
});
