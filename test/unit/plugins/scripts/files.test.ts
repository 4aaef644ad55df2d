import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFileName, createOutputFiles } from '../../../../lib/plugins/scripts/files';

describe('script files', () => {
  it('accepts relative names and refuses names that leave the working directory', () => {
    expect(() => checkFileName('data/in.csv', 'inputFiles')).not.toThrow();
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'a\\b', './x', 'a//b', '']) {
      expect(() => checkFileName(bad, 'inputFiles')).toThrow(expect.objectContaining({ code: 'FLOW_INVALID', location: { property: 'inputFiles' } }));
    }
  });

  it('creates an empty file per output name and returns their paths', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aloft-files-'));
    try {
      const paths = await createOutputFiles(dir, ['first', 'sub/second.txt']);
      expect(paths).toEqual({ first: join(dir, 'first'), 'sub/second.txt': join(dir, 'sub/second.txt') });
      expect((await stat(paths.first)).size).toBe(0);
      expect(await readFile(paths['sub/second.txt'], 'utf8')).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
