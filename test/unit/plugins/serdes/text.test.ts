import { decoderFor, encodingFor } from '../../../../lib/plugins/serdes/text';

describe('charsets', () => {
  it('decode any WHATWG encoding by its Java name', () => {
    expect(decoderFor('ISO-8859-1').decode(Buffer.from([0xe9]))).toBe('é');
    expect(decoderFor('UTF-16LE').decode(Buffer.from('hé', 'utf16le'))).toBe('hé');
    expect(decoderFor(undefined).encoding).toBe('utf-8');
  });

  it('fail on an unknown charset, naming the property', () => {
    expect(() => decoderFor('klingon')).toThrow(expect.objectContaining({ code: 'TASK_FAILED', location: { property: 'charset' } }));
  });

  it('write UTF-8, ISO-8859-1, US-ASCII and UTF-16LE and say which others are not supported', () => {
    expect(encodingFor('UTF-8')).toBe('utf8');
    expect(encodingFor('ISO-8859-1')).toBe('latin1');
    expect(() => encodingFor('windows-1252')).toThrow(/^not supported: writing the charset windows-1252/);
  });
});
