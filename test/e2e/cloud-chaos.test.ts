// The short form of `npm run chaos` on the emulated cloud (scripts/chaos/cloud.ts): the executor and
// the workers killed at random and restarted, one delivery in ten duplicated.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloudChaos } from '../../scripts/chaos/cloud';

describe('npm run chaos, short, on the emulated cloud', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'aloft-chaos-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('ends every execution while functions are killed and deliveries duplicated: none lost or stuck, no success ran twice', async () => {
    const report = await cloudChaos({ executions: 40, kills: 3, seed: 5, settle: { stallSeconds: 90, maxSeconds: 300 }, dir });
    expect(report.examples).toEqual([]);
    expect(report).toMatchObject({ lost: 0, stuck: 0, doubleSuccesses: 0, goalsMet: true, settled: { outcome: 'quiet', active: 0 } });
    expect(report.ended).toBe(report.submitted);
    // A start the server made just before a kill, whose answer never came, is not acknowledged but runs too.
    expect(Object.keys(report.states)).toEqual(['SUCCESS']);
    expect(report.states.SUCCESS).toBeGreaterThanOrEqual(report.submitted * 2);
  }, 600_000);
});
