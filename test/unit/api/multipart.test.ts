import { parseMultipart } from '../../../lib/api/multipart';

async function encode(form: FormData): Promise<{ headers: Record<string, string>; body: Buffer }> {
  const req = new Request('http://x', { method: 'POST', body: form });
  return { headers: { 'content-type': req.headers.get('content-type')! }, body: Buffer.from(await req.arrayBuffer()) };
}

describe('parseMultipart', () => {
  it('separates text fields from files and keeps file names', async () => {
    const form = new FormData();
    form.set('n', '3');
    form.set('data', new Blob(['a,b']), 'rows.csv');
    const { headers, body } = await encode(form);
    const parsed = await parseMultipart(headers, body);
    expect(parsed.fields).toEqual({ n: '3' });
    expect(parsed.files.data.fileName).toBe('rows.csv');
    expect(String(parsed.files.data.data)).toBe('a,b');
  });

  it('refuses a name given twice with INPUT_INVALID', async () => {
    const form = new FormData();
    form.append('n', '1');
    form.append('n', '2');
    const { headers, body } = await encode(form);
    await expect(parseMultipart(headers, body)).rejects.toMatchObject({ code: 'INPUT_INVALID', message: "the form has 'n' more than once" });
  });

  it('refuses a body without a boundary with MESSAGE_INVALID', async () => {
    await expect(parseMultipart({ 'content-type': 'multipart/form-data' }, Buffer.from('x'))).rejects.toMatchObject({ code: 'MESSAGE_INVALID' });
  });

  it('takes fields named constructor, toString and __proto__ as plain names', async () => {
    const form = new FormData();
    form.set('constructor', 'c');
    form.set('toString', 't');
    form.set('__proto__', 'p');
    const { headers, body } = await encode(form);
    const parsed = await parseMultipart(headers, body);
    expect(Object.entries(parsed.fields)).toEqual([['constructor', 'c'], ['toString', 't'], ['__proto__', 'p']]);
    expect(Object.getPrototypeOf(parsed.fields)).toBe(Object.prototype);
  });

  it('reads UTF-8 file names as UTF-8', async () => {
    const form = new FormData();
    form.set('data', new Blob(['x']), 'données-été.csv');
    const { headers, body } = await encode(form);
    expect((await parseMultipart(headers, body)).files.data.fileName).toBe('données-été.csv');
  });
});
