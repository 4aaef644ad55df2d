import type { WakeUpRecord } from '../../../../lib/ports/cloud-control';
import { tempData, type TempData } from './temp-data';

const wake = (id: string, at: string, over: Partial<WakeUpRecord> = {}): WakeUpRecord => ({
  id, executionId: 'e', taskRunId: 'r', reason: 'retry', at, ...over,
});

describe('SqliteWakeUpStore', () => {
  let t: TempData;
  beforeEach(() => { t = tempData(); });
  afterEach(async () => { await t.cleanup(); });

  it('returns the wake-ups due at a time, earliest first, up to the limit', async () => {
    const { wakeUps } = t.data;
    await wakeUps.put(wake('late', '2024-03-14T10:00:30.000Z'));
    await wakeUps.put(wake('early', '2024-03-14T10:00:10.000Z', { reason: 'pause-timeout' }));
    await wakeUps.put(wake('future', '2024-03-14T11:00:00.000Z'));
    const now = new Date('2024-03-14T10:00:30.000Z');
    expect(await wakeUps.due(now, 10)).toEqual([wake('early', '2024-03-14T10:00:10.000Z', { reason: 'pause-timeout' }), wake('late', '2024-03-14T10:00:30.000Z')]);
    expect((await wakeUps.due(now, 1)).map((w) => w.id)).toEqual(['early']);
  });

  it('keeps one wake-up per id however often it is stored', async () => {
    const { wakeUps } = t.data;
    await wakeUps.put(wake('w', '2024-03-14T10:00:00.000Z'));
    await wakeUps.put(wake('w', '2024-03-14T10:00:00.000Z'));
    expect(await wakeUps.due(new Date('2024-03-15T00:00:00.000Z'), 10)).toHaveLength(1);
  });

  it('forgets a removed wake-up, and removing it twice is harmless', async () => {
    const { wakeUps } = t.data;
    await wakeUps.put(wake('w', '2024-03-14T10:00:00.000Z'));
    await wakeUps.remove('w');
    await wakeUps.remove('w');
    expect(await wakeUps.due(new Date('2024-03-15T00:00:00.000Z'), 10)).toEqual([]);
  });

  it('keeps wake-ups across a reopen (a restart fires what fell due while down)', async () => {
    await t.data.wakeUps.put(wake('w', '2024-03-14T10:00:00.000Z'));
    expect((await t.reopen().wakeUps.due(new Date('2024-03-15T00:00:00.000Z'), 10)).map((w) => w.id)).toEqual(['w']);
  });
});
