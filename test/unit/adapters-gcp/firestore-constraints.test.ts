// Shared Firestore helpers: document ids for arbitrary keys and the mapping of client failures.
import { docIdFor, jsonField, toAloftError } from '../../../lib/adapters/gcp/firestore-constraints';
import { AloftError } from '../../../lib/model/errors';

describe('docIdFor', () => {
  it('keeps a safe key as it is', () => {
    expect(docIdFor('WorkerResult:run1:0')).toBe('WorkerResult:run1:0');
  });

  it('hashes keys Firestore would refuse or misread, the same way every time', () => {
    for (const k of ['a/b', '.', '..', '__name__', '', 'x'.repeat(400)]) {
      expect(docIdFor(k)).toMatch(/^h_[A-Za-z0-9_-]{43}$/);
      expect(docIdFor(k)).toBe(docIdFor(k));
    }
    expect(docIdFor('a/b')).not.toBe(docIdFor('a/c'));
  });
});

describe('toAloftError', () => {
  it('maps a lost transaction to CONFLICT only where asked', () => {
    const aborted = Object.assign(new Error('10 ABORTED: Transaction lock timeout'), { code: 10 });
    expect(toAloftError(aborted, 'tx', { abortedIsConflict: true }).code).toBe('CONFLICT');
    expect(toAloftError(aborted, 'read').code).toBe('INFRA_RETRYABLE');
  });

  it('maps unavailable and deadline errors to INFRA_RETRYABLE and the rest to INTERNAL', () => {
    expect(toAloftError(Object.assign(new Error('x'), { code: 14 }), 'w').code).toBe('INFRA_RETRYABLE');
    expect(toAloftError(Object.assign(new Error('x'), { code: 4 }), 'w').code).toBe('INFRA_RETRYABLE');
    expect(toAloftError(Object.assign(new Error('bad'), { code: 3 }), 'w')).toMatchObject({ code: 'INTERNAL', message: 'w: bad' });
  });

  it('passes AloftErrors through', () => {
    const e = new AloftError('NOT_FOUND', 'gone');
    expect(toAloftError(e, 'w')).toBe(e);
  });
});

describe('jsonField', () => {
  it('refuses a value over the document limit with PAYLOAD_TOO_LARGE, naming it', () => {
    expect(() => jsonField({ s: 'x'.repeat(1_000_001) }, 'the outputs of t')).toThrow(/the outputs of t is \d+ bytes/);
  });
});
