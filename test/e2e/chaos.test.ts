// The short form of `npm run chaos` on the durable embedded runtime (scripts/chaos/embedded.ts):
// `aloft server` SIGKILLed twice while executions mixing retries, a subflow, parallel branches and a
// pause are started, then restarted on the same data directory each time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedChaos } from '../../scripts/chaos/embedded';

describe('npm run chaos, short, on aloft server with a data directory', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'aloft-chaos-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('ends every execution despite two SIGKILLs: none lost or stuck, no success ran twice', async () => {
    const report = await embeddedChaos({ executions: 100, kills: 2, seed: 3, settle: { stallSeconds: 60, maxSeconds: 240 }, dir });
    expect(report.examples).toEqual([]);
    expect(report).toMatchObject({ lost: 0, stuck: 0, doubleSuccesses: 0, goalsMet: true, settled: { outcome: 'quiet', active: 0 } });
    expect(report.submitted).toBeGreaterThanOrEqual(100);
    expect(report.ended).toBe(report.submitted);
    // Every parent and its subflow ended SUCCESS (the flaky task's retry is the flow's own).
    // A start the server made just before a kill, whose answer never came, is not acknowledged but runs too.
    expect(Object.keys(report.states)).toEqual(['SUCCESS']);
    expect(report.states.SUCCESS).toBeGreaterThanOrEqual(report.submitted * 2);
  }, 420_000);
});
