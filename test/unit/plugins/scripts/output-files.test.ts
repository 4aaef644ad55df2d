import { globToRegExp, outputMatchers } from '../../../../lib/plugins/scripts/output-files';

describe('outputFiles patterns', () => {
  it('reads globs as Java does: * within a folder, ** across folders, ? one character', () => {
    expect(globToRegExp('/w/*.csv').test('/w/a.csv')).toBe(true);
    expect(globToRegExp('/w/*.csv').test('/w/d/a.csv')).toBe(false);
    expect(globToRegExp('/w/**.csv').test('/w/d/e/a.csv')).toBe(true);
    expect(globToRegExp('/w/**/*.csv').test('/w/d/a.csv')).toBe(true);
    expect(globToRegExp('/w/?.txt').test('/w/a.txt')).toBe(true);
    expect(globToRegExp('/w/?.txt').test('/w/ab.txt')).toBe(false);
  });

  it('reads {a,b} groups, [..] and [!..] classes, and escapes the rest', () => {
    expect(globToRegExp('/w/*.{csv,json}').test('/w/a.json')).toBe(true);
    expect(globToRegExp('/w/[ab].txt').test('/w/b.txt')).toBe(true);
    expect(globToRegExp('/w/[!ab].txt').test('/w/b.txt')).toBe(false);
    expect(globToRegExp('/w/a+b(1).txt').test('/w/a+b(1).txt')).toBe(true);
    expect(() => globToRegExp('/w/{a,b')).toThrow("invalid glob '/w/{a,b': unclosed {");
  });

  it('anchors plain patterns at the working directory; glob: and regex: see the absolute path', () => {
    const [plain, glob, regex] = outputMatchers('/w', ['out.txt', 'glob:**/x.txt', 'regex:.*/r[0-9]\\.txt']);
    expect(plain('/w/out.txt')).toBe(true);
    expect(plain('/w/d/out.txt')).toBe(false);
    expect(glob('/w/d/x.txt')).toBe(true);
    expect(regex('/w/d/r7.txt')).toBe(true);
    expect(() => outputMatchers('/w', ['regex:(('])).toThrow(/^invalid pattern 'regex:\(\('/);
  });
});
