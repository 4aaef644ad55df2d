import { parseMessage } from '../../../../lib/plugins/singer/messages';

describe('parseMessage', () => {
  it('passes every Singer message type through', () => {
    for (const m of [
      { type: 'SCHEMA', stream: 's', schema: {}, key_properties: ['id'] },
      { type: 'RECORD', stream: 's', record: { id: 1 } },
      { type: 'STATE', value: { bookmarks: {} } },
      { type: 'ACTIVATE_VERSION', stream: 's', version: 1 },
    ]) expect(parseMessage(JSON.stringify(m), 1, 'tap-x')).toEqual(m);
  });

  it('skips blank lines', () => {
    expect(parseMessage('  ', 3, 'tap-x')).toBeUndefined();
  });

  it('names the line number and text of a line that is not JSON', () => {
    expect(() => parseMessage('Starting sync…', 7, 'tap-x')).toThrow('tap-x printed a malformed Singer message: line 7 is not JSON: Starting sync…');
  });

  it('rejects an unknown type and a RECORD without its record', () => {
    expect(() => parseMessage('{"type":"METRIC"}', 2, 'tap-x')).toThrow('line 2 has type "METRIC", not SCHEMA, RECORD, STATE or ACTIVATE_VERSION');
    expect(() => parseMessage('{"type":"RECORD","stream":"s"}', 4, 'tap-x')).toThrow('line 4 is a RECORD without stream or record');
    expect(() => parseMessage('[1]', 5, 'tap-x')).toThrow('line 5 is not a JSON object');
  });

  it('cuts a long line in the message', () => {
    const err = (() => { try { parseMessage('x'.repeat(5000), 1, 't'); } catch (e) { return e as Error; } })();
    expect(err?.message.length).toBeLessThan(300);
  });
});
