import { errorBody, parseJson, toJsonText } from '../../../lib/api/http';
import { CLIPPED } from '../../../lib/model/json-bounds';

describe('parseJson', () => {
  it('refuses a body nested deeper than 1000 levels with MESSAGE_INVALID, before parsing it', () => {
    const body = Buffer.from('{"a":' + '['.repeat(1001) + ']'.repeat(1001) + '}');
    expect(() => parseJson(body)).toThrow(expect.objectContaining({ code: 'MESSAGE_INVALID', message: 'the request body is nested deeper than 1000 levels' }));
    expect(parseJson(Buffer.from('{"a":"[[[["}'))).toEqual({ a: '[[[[' });
  });
});

describe('toJsonText', () => {
  it('answers a value stored before the bound existed with its deepest parts clipped, instead of failing', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(() => JSON.stringify({ deep })).toThrow(RangeError);
    const text = toJsonText({ id: 'e1', deep });
    expect(text.startsWith('{"id":"e1","deep":[[[')).toBe(true);
    expect(text).toContain(`"${CLIPPED}"`);
    expect(text).not.toContain('bottom');
  });
});

describe('errorBody', () => {
  it('hides the absolute paths Node quotes in an unexpected error, and keeps messages of known errors', () => {
    const fsError = Object.assign(new Error("ENAMETOOLONG: name too long, rename '/srv/aloft/storage.partial/1' -> '/srv/aloft/storage/a'"), { code: 'ENAMETOOLONG' });
    expect(errorBody(fsError)).toEqual({ status: 500, body: { code: 'INTERNAL', message: "ENAMETOOLONG: name too long, rename '…' -> '…'" } });
    expect(errorBody({ code: 'INPUT_INVALID', message: "value '/x' is not a number" }).body.message).toBe("value '/x' is not a number");
  });
});
