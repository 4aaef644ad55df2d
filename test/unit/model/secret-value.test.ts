import { isSecretValue, maskSecretValues, revealSecretValues, secretValue } from '../../../lib/model/secret-value';

describe('secret values', () => {
  it('are recognised by their exact shape only', () => {
    expect(isSecretValue(secretValue('pw'))).toBe(true);
    expect(isSecretValue({ type: 'aloft.datatype:secret', value: 'pw', extra: 1 })).toBe(false);
    expect(isSecretValue({ type: 'other', value: 'pw' })).toBe(false);
    expect(isSecretValue('pw')).toBe(false);
  });

  it('are masked wherever they are nested, leaving the original untouched', () => {
    const inputs = { user: 'ada', pw: secretValue('hunter22'), deep: { list: [secretValue('k3y'), 1] } };
    expect(maskSecretValues(inputs)).toEqual({ user: 'ada', pw: '******', deep: { list: ['******', 1] } });
    expect(inputs.pw).toEqual(secretValue('hunter22'));
  });

  it('give back the very same value when none is there', () => {
    const plain = { a: [1, { b: 'c' }] };
    expect(maskSecretValues(plain)).toBe(plain);
  });

  it('are revealed as clear text, each reported so it can be masked', () => {
    const seen: string[] = [];
    expect(revealSecretValues({ pw: secretValue('hunter22'), n: 1 }, (v) => seen.push(v))).toEqual({ pw: 'hunter22', n: 1 });
    expect(seen).toEqual(['hunter22']);
  });

  it('keep a __proto__ key as own data when copying', () => {
    const v = JSON.parse('{"__proto__": {"polluted": true}, "pw": {"type": "aloft.datatype:secret", "value": "x"}}');
    const out = maskSecretValues(v) as Record<string, unknown>;
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
