// The cloud's lone-event path (lib/runtime/cloud/lone-events.ts LoneEventStore), run against every store
// that offers it: Firestore on its emulator, and the in-memory store the cloud handlers' unit tests use.
import type { Execution } from '../../../lib/model/execution';
import type { ExecutionEvent } from '../../../lib/model/events';
import type { PendingEvent, StateStore, TransactOutcome } from '../../../lib/ports/state-store';
import type { LoneEventStore } from '../../../lib/runtime/cloud/lone-events';
import { execution } from './state-store';
import { codeOf, unique } from './helpers';

type Fold = (execution: Execution, pending: readonly PendingEvent[]) => TransactOutcome | null;

export interface LoneEventsFixture {
  store: StateStore & LoneEventStore;
  cleanup(): Promise<void>;
}

const T0 = new Date('2024-03-14T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const pending = (key: string, event: ExecutionEvent = { type: 'Resume' }): PendingEvent => ({ key, event, at: T0.toISOString() });
const created = (key = 'created'): PendingEvent => pending(key, { type: 'ExecutionCreated' });

export function loneEventsContract(name: string, make: () => Promise<LoneEventsFixture>): void {
  describe(`LoneEventStore contract: ${name}`, () => {
    let fx: LoneEventsFixture;
    let store: StateStore & LoneEventStore;
    beforeEach(async () => {
      fx = await make();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    describe('transact with named events', () => {
      const keysOf = async (id: string, keys?: readonly string[]): Promise<string[] | null> => {
        let seen: string[] | null = null;
        const fold: Fold = (e, events) => {
          if (events.length === 0) return null;
          seen = events.map((p) => p.key);
          return { execution: e, effects: [] };
        };
        await (keys ? store.transactNamed(id, keys, fold, at(1)) : store.transact(id, fold, at(1)));
        return seen;
      };

      it('folds only the named pending events and leaves the others pending', async () => {
        const id = unique('exec');
        await store.create(execution(id), created());
        await store.appendAlone(id, pending('alone'));
        expect(await keysOf(id, ['alone'])).toEqual(['alone']);
        expect(await store.hasPending(id)).toBe(true);
        expect(await keysOf(id)).toEqual(['created']);
        expect(await store.hasPending(id)).toBe(false);
      });

      it('skips a named event that was already consumed, and folds nothing when none is left', async () => {
        const id = unique('exec');
        await store.create(execution(id), created());
        await store.append(id, pending('once', { type: 'Restart' }));
        expect(await keysOf(id)).toEqual(['created', 'once']);
        const before = await store.get(id);
        expect(await keysOf(id, ['once', 'never-appended'])).toBeNull();
        expect((await store.get(id))?.version).toBe(before?.version);
      });

      it('refuses a named fold with CONFLICT while a kill is pending, and folds alone again once it is consumed', async () => {
        const id = unique('exec');
        await store.create(execution(id), created());
        await keysOf(id);
        await store.append(id, pending('kill', { type: 'Kill' }));
        await store.appendAlone(id, pending('result', { type: 'Restart' }));
        expect(await codeOf(keysOf(id, ['result']))).toBe('CONFLICT');
        // In order, as the lease path folds them.
        expect(await keysOf(id)).toEqual(['kill', 'result']);
        await store.appendAlone(id, pending('next', { type: 'Restart' }));
        expect(await keysOf(id, ['next'])).toEqual(['next']);
      });

      it('consumes a named event, so that appending its key again is refused', async () => {
        const id = unique('exec');
        await store.create(execution(id), created());
        await store.append(id, pending('k', { type: 'Restart' }));
        expect(await keysOf(id, ['k'])).toEqual(['k']);
        expect(await store.append(id, pending('k', { type: 'Restart' }))).toBe(false);
        expect(await keysOf(id, ['k'])).toBeNull();
      });
    });

  });
}
