import { derivedId, triggerKey } from '../../../lib/triggers/ids';

describe('derivedId', () => {
  it('is a 22-character base-62 id, the same for the same parts', () => {
    const id = derivedId('schedule', 'n:f:t', '2024-03-14T10:00:00.000Z');
    expect(id).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(derivedId('schedule', 'n:f:t', '2024-03-14T10:00:00.000Z')).toBe(id);
  });

  it('differs when any part differs, including where parts are split', () => {
    expect(derivedId('a', 'bc')).not.toBe(derivedId('ab', 'c'));
    expect(derivedId('a', 'b')).not.toBe(derivedId('a', 'c'));
  });
});

describe('triggerKey', () => {
  it('joins namespace, flow and trigger with colons', () => {
    expect(triggerKey('io.aloft', 'f', 't')).toBe('io.aloft:f:t');
  });
});
