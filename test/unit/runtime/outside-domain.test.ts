import { create } from 'node:domain';
import { outsideDomain } from '../../../lib/runtime/cloud/outside-domain';

const activeDomain = (): unknown => (process as { domain?: unknown }).domain;

describe('outsideDomain', () => {
  it('runs the work, and what it awaits, with no active domain, and makes the request domain active again after', async () => {
    const d = create();
    const seen: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      d.run(() => {
        const work = outsideDomain(async () => {
          seen.push(activeDomain());
          await new Promise((r) => setTimeout(r, 1));
          seen.push(activeDomain());
          return 'done';
        });
        seen.push(activeDomain() === d);
        work.then((v) => { seen.push(v); resolve(); }, reject);
      });
    });
    expect(seen).toEqual([undefined, true, undefined, 'done']);
  });

  it('just runs the work when no domain is active', async () => {
    expect(activeDomain()).toBeFalsy();
    await expect(outsideDomain(async () => 42)).resolves.toBe(42);
  });

  it('makes the domain active again when the work throws synchronously', () => {
    const d = create();
    d.run(() => {
      expect(() => outsideDomain(() => { throw new Error('boom'); })).toThrow('boom');
      expect(activeDomain()).toBe(d);
    });
  });
});
