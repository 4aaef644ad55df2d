import { kvEntryKey, render, renderTyped, type KvValues } from '../../../lib/expr';

const NOW = new Date('2026-11-25T01:02:03.456Z');
const r = (t: string, secrets?: Record<string, string>) => render(t, {}, { now: NOW, secrets });

describe('functions', () => {
  it('returns the given now as ISO-8601 in UTC with milliseconds', () => {
    expect(r('{{ now() }}')).toBe('2026-11-25T01:02:03.456Z');
  });

  it('formats now in another zone or format when asked', () => {
    expect(r("{{ now(timeZone='Europe/Lisbon') }}")).toBe('2026-11-25T01:02:03.456Z');
    expect(r("{{ now(timeZone='Asia/Tokyo') }}")).toBe('2026-11-25T10:02:03.456+09:00');
    expect(r("{{ now(format='iso_local_date') }}")).toBe('2026-11-25');
    expect(r("{{ now('yyyy') }}")).toBe('2026');
  });

  it('parses JSON with json(), fromJson() and jsonDecode()', () => {
    expect(renderTyped(`{{ json('{"a": [1, 2]}') }}`, {}, { now: NOW })).toEqual({ a: [1, 2] });
    expect(r(`{{ fromJson('[1, 2]')[1] }} {{ jsonDecode('"x"') }}`)).toBe('2 x');
    expect(renderTyped('{{ json(null) }}', {}, { now: NOW })).toBeNull();
  });

  it('renders a template kept in a variable with render(), recursively unless told not to', () => {
    const vars = { vars: { greeting: 'Hello {{ inputs.name }}', outer: '{{ vars.greeting }}!' }, inputs: { name: 'Ada' } };
    expect(render('{{ vars.greeting }}', vars, { now: NOW })).toBe('Hello {{ inputs.name }}');
    expect(render('{{ render(vars.greeting) }}', vars, { now: NOW })).toBe('Hello Ada');
    expect(render('{{ render(vars.outer) }}', vars, { now: NOW })).toBe('Hello Ada!');
    expect(render('{{ render(vars.outer, recursive=false) }}', vars, { now: NOW })).toBe('Hello {{ inputs.name }}!');
    expect(renderTyped('{{ render(42) }}', vars, { now: NOW })).toBe(42);
  });

  it('fails a render() that never settles or whose template does not parse, naming it', () => {
    const loop = { vars: { self: '{{ render(vars.self) }}' } };
    expect(() => render('{{ render(vars.self) }}', loop, { now: NOW })).toThrow('render() is nested more than 10 deep');
    const growing = { vars: { a: 'x{{ vars.a }}' } };
    expect(() => render('{{ render(vars.a) }}', growing, { now: NOW })).toThrow('render() did not settle after 10 renderings');
    expect(() => render('{{ render(vars.bad) }}', { vars: { bad: '{{ 1 + }}' } }, { now: NOW })).toThrow(/render\(\): .* in '\{\{ 1 \+ \}\}'/);
    expect(() => render('{{ render(vars.missing) }}', { vars: { missing: '{{ nope }}' } }, { now: NOW })).toThrow(/nope/);
  });

  it('returns pre-resolved secrets by name', () => {
    expect(r("{{ secret('TOKEN') }}", { TOKEN: 's3cr3t' })).toBe('s3cr3t');
  });

  it('fails naming a secret that was not resolved', () => {
    expect(() => r("{{ secret('MISSING') }}", { TOKEN: 'x' })).toThrow("secret 'MISSING' is not defined");
    expect(() => r("{{ secret('TOKEN') }}")).toThrow("secret 'TOKEN' is not defined");
  });

  it('does not treat inherited properties as secrets', () => {
    expect(() => r("{{ secret('toString') }}", {})).toThrow("secret 'toString' is not defined");
  });

  it('builds ranges with an optional step', () => {
    expect(r('{{ range(1, 3) }} {{ range(10, 0, -5) }}')).toBe('[1,2,3] [10,5,0]');
  });

  it('finds the largest and smallest of its arguments', () => {
    expect(r("{{ max(1, 5, 3) }} {{ min(4, 2, 8) }} {{ max('a', 'c', 'b') }}")).toBe('5 2 c');
  });

  describe('kv', () => {
    const kv: KvValues = {
      namespace: 'company.team',
      entries: new Map([
        [kvEntryKey('company.team', 'conf'), { value: { region: 'eu', sizes: [1, 2] } }],
        [kvEntryKey('company', 'shared'), { value: 'from parent' }],
        [kvEntryKey('company.team', 'nothing'), null],
      ]),
    };
    const k = (t: string) => renderTyped(t, {}, { now: NOW, kv });

    it('returns a typed value of the execution\'s namespace, or of the namespace given', () => {
      expect(k("{{ kv('conf') }}")).toEqual({ region: 'eu', sizes: [1, 2] });
      expect(k("{{ kv('conf').sizes[1] }}")).toBe(2);
      expect(k("{{ kv('shared', 'company') }}")).toBe('from parent');
      expect(k("{{ kv(key='shared', namespace='company') }}")).toBe('from parent');
    });

    it('fails naming a missing key and its namespace, unless errorOnMissing is false', () => {
      expect(() => k("{{ kv('nothing') }}")).toThrow("key 'nothing' does not exist in the key-value store of namespace company.team");
      expect(k("{{ kv('nothing', errorOnMissing=false) }}")).toBeNull();
    });

    it('fails clearly for a key that was not read before rendering', () => {
      expect(() => k("{{ kv('other') }}")).toThrow("kv('other') was not read before rendering");
      expect(() => render("{{ kv('conf') }}", {}, { now: NOW })).toThrow("kv('conf') was not read before rendering");
      expect(() => k('{{ kv(42) }}')).toThrow('kv() needs a key, got');
    });
  });

  describe('read', () => {
    const files = new Map([['conf.yml', { text: 'a: 1' }], ['gone.txt', { error: 'namespace n has no file gone.txt' }]]);
    const f = (t: string) => render(t, {}, { now: NOW, files });

    it('returns the text of a file read before rendering', () => {
      expect(f("{{ read('conf.yml') }}")).toBe('a: 1');
    });

    it('fails with the reason a file could not be read, or when it was not read', () => {
      expect(() => f("{{ read('gone.txt') }}")).toThrow("read('gone.txt'): namespace n has no file gone.txt");
      expect(() => f("{{ read('other.txt') }}")).toThrow("read('other.txt') was not read before rendering");
    });
  });
});

describe('render() and renderOnce()', () => {
  const vars = {
    name: 'Ada',
    greeting: 'Hello {{ name }}',
    nested: '{{ greeting }}!',
    loop: "{{ render(loop) }}",
    broken: '{{ nope',
  };
  const rv = (t: string) => render(t, vars, { now: NOW });

  it('renders a variable that holds a template, as Kestra 1.x does not do by itself', () => {
    expect(rv('{{ greeting }}')).toBe('Hello {{ name }}');
    expect(rv('{{ render(greeting) }}')).toBe('Hello Ada');
  });

  it('renders until the text stops changing, unless recursive is false or renderOnce is used', () => {
    expect(rv('{{ render(nested) }}')).toBe('Hello Ada!');
    expect(rv('{{ render(nested, false) }}')).toBe('Hello {{ name }}!');
    expect(rv('{{ renderOnce(nested) }}')).toBe('Hello {{ name }}!');
  });

  it('gives null for null and other values as they are', () => {
    expect(renderTyped('{{ render(null) }}', vars, { now: NOW })).toBeNull();
    expect(renderTyped('{{ render(3) }}', vars, { now: NOW })).toBe(3);
  });

  it('stops a value that renders itself, naming the depth', () => {
    expect(() => rv('{{ render(loop) }}')).toThrow('render() is nested more than 10 deep');
  });

  it('fails on a rendered text that does not parse, quoting it', () => {
    expect(() => rv('{{ render(broken) }}')).toThrow(/render\(\): .* in '\{\{ nope'/);
  });

  it('counts the steps of what it renders against the same budget', () => {
    expect(() => render('{{ render(t) }}', { t: '{% for i in range(1, 100000) %}{% endfor %}' }, { now: NOW, maxSteps: 10_000 }))
      .toThrow('more than 10000 evaluation steps');
  });
});

describe('yaml() and fromYaml()', () => {
  it('parses YAML text into data', () => {
    expect(renderTyped("{{ yaml('a: 1\nb: [x, y]') }}", {}, { now: NOW })).toEqual({ a: 1, b: ['x', 'y'] });
    expect(renderTyped('{{ fromYaml(text).b }}', { text: 'b: true' }, { now: NOW })).toBe(true);
  });

  it('fails on invalid YAML with the reason', () => {
    expect(() => r("{{ yaml('a: [1') }}")).toThrow(/yaml\(\): invalid YAML 'a: \[1'/);
  });

  it('bounds aliases, so a small text cannot expand without end', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, i) => {
      const prev = i === 0 ? 'a' : String.fromCharCode(97 + i);
      const cur = String.fromCharCode(98 + i);
      return `${cur}: &${cur} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`;
    })].join('\n');
    expect(() => render('{{ yaml(t) }}', { t: bomb }, { now: NOW })).toThrow(/yaml\(\): invalid YAML/);
  });
});

describe('uuid() and randomInt()', () => {
  let counter = 0;
  // A repeatable byte source: 0, 1, 2...
  const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => counter++ % 256);
  beforeEach(() => { counter = 0; });
  const rr = (t: string) => renderTyped(t, {}, { now: NOW, randomBytes });

  it('makes a version 4 UUID from the caller\'s random bytes', () => {
    expect(rr('{{ uuid() }}')).toBe('00010203-0405-4607-8809-0a0b0c0d0e0f');
    expect(rr('{{ uuid() }}')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('draws randomInt between lower, included, and upper, excluded', () => {
    const seen = new Set<unknown>();
    for (let i = 0; i < 300; i++) seen.add(rr('{{ randomInt(5, 8) }}'));
    expect([...seen].sort()).toEqual([5, 6, 7]);
  });

  it('refuses bounds that are not whole numbers or not ordered', () => {
    expect(() => rr("{{ randomInt(1, 'x') }}")).toThrow("randomInt() needs two whole numbers, got 1 and 'x'");
    expect(() => rr('{{ randomInt(3, 3) }}')).toThrow('randomInt(): upper (3) must be greater than lower (3)');
  });

  it('fails where the caller gives no randomness (a flowable\'s properties must render the same each time)', () => {
    expect(() => r('{{ uuid() }}')).toThrow('uuid() works in the properties of tasks');
  });
});

describe('printContext()', () => {
  it('prints every variable of the render as JSON', () => {
    expect(render('{{ printContext() }}', { flow: { id: 'f' }, inputs: { n: 1 } }, { now: NOW })).toBe('{"flow":{"id":"f"},"inputs":{"n":1}}');
  });

  it('holds no secret, even one already read', () => {
    expect(render("{{ secret('K') }} {{ printContext() }}", { a: 1 }, { now: NOW, secrets: { K: 'v' } })).toBe('v {"a":1}');
  });
});
