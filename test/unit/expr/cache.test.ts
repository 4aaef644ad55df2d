import { render } from '../../../lib/expr';
import { TEMPLATE_CACHE_CHARS, TEMPLATE_CACHE_LIMIT, compile, templateCacheChars, templateCacheSize } from '../../../lib/expr/cache';

const NOW = new Date('2026-11-25T01:02:03.456Z');

describe('template cache', () => {
  it('does not grow when the same template is rendered 10,000 times', () => {
    const tpl = `{{ outputs.t3.value }}-x-${Math.random()}`;
    render(tpl, { outputs: { t3: { value: 'v' } } }, { now: NOW });
    const size = templateCacheSize();
    for (let i = 0; i < 10_000; i++) render(tpl, { outputs: { t3: { value: i } } }, { now: NOW });
    expect(templateCacheSize()).toBe(size);
  });

  it('returns the same compiled template for the same source', () => {
    const src = `{{ a }}-${Math.random()}`;
    expect(compile(src)).toBe(compile(src));
  });

  it('caches syntax failures too, and throws them each time', () => {
    const src = `{{ a | nope }}${Math.random()}`;
    expect(() => compile(src)).toThrow();
    const size = templateCacheSize();
    expect(() => compile(src)).toThrow();
    expect(templateCacheSize()).toBe(size);
  });

  it('stays within its bound when many distinct templates are compiled', () => {
    for (let i = 0; i < TEMPLATE_CACHE_LIMIT + 500; i++) compile(`{{ x }}${i}`);
    expect(templateCacheSize()).toBe(TEMPLATE_CACHE_LIMIT);
  });

  it('stays within its bound in source characters when many long distinct templates are compiled', () => {
    // 2,000 templates of 70 KB: 140 M characters if all were kept.
    const long = 'x'.repeat(70_000);
    for (let i = 0; i < 2000; i++) compile(`{{ a }}${i}${long}`);
    expect(templateCacheChars()).toBeLessThanOrEqual(TEMPLATE_CACHE_CHARS);
    expect(templateCacheSize()).toBeGreaterThan(TEMPLATE_CACHE_CHARS / 70_100 - 1);
  });

  it('compiles a template too long to cache each time, and still gives the same result', () => {
    const huge = `{{ a }}${'y'.repeat(TEMPLATE_CACHE_CHARS / 8)}`;
    const size = templateCacheSize();
    expect(render(huge, { a: 1 }, { now: NOW })).toBe(render(huge, { a: 1 }, { now: NOW }));
    expect(templateCacheSize()).toBeLessThanOrEqual(size);
    expect(compile(huge)).not.toBe(compile(huge));
  });

  it('keeps a template it keeps using while others come and go', () => {
    const hot = `{{ hot }}${Math.random()}`;
    const first = compile(hot);
    for (let i = 0; i < TEMPLATE_CACHE_LIMIT * 2; i++) {
      compile(`{{ y }}${i}`);
      if (i % 1000 === 0) compile(hot);
    }
    expect(compile(hot)).toBe(first);
  });
});
