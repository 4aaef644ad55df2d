import { HttpProperties, resolveOptions } from '../../../../lib/plugins/core/http-properties';

const resolve = (p: Record<string, unknown>) => resolveOptions(HttpProperties.parse({ uri: 'http://h', ...p }));

describe('HTTP options', () => {
  it("defaults as Kestra's: redirects followed, failures refused, 5 minutes of read idle time", () => {
    expect(resolve({})).toEqual({
      connectTimeoutMs: undefined, readIdleTimeoutMs: 300_000, followRedirects: true, allowFailed: false, allowedResponseCodes: undefined, authorization: undefined,
    });
  });

  it('reads timeouts from timeout, or from the deprecated connectTimeout and readTimeout', () => {
    expect(resolve({ options: { timeout: { connectTimeout: 'PT2S', readIdleTimeout: 'PT1M' } } })).toMatchObject({ connectTimeoutMs: 2000, readIdleTimeoutMs: 60_000 });
    expect(resolve({ options: { connectTimeout: 'PT3S', readTimeout: 'PT10S' } })).toMatchObject({ connectTimeoutMs: 3000, readIdleTimeoutMs: 10_000 });
  });

  it('prefers auth over the deprecated basicAuthUser, and the task-level allowFailed over options', () => {
    expect(resolve({ options: { auth: { type: 'BASIC', username: 'u', password: 'p' }, basicAuthUser: 'x' } }).authorization)
      .toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(resolve({ allowFailed: true, options: { allowFailed: false } }).allowFailed).toBe(true);
  });

  it('refuses a duration that does not parse', () => {
    expect(HttpProperties.safeParse({ uri: 'http://h', options: { timeout: { readIdleTimeout: '5 seconds' } } }).success).toBe(false);
  });
});
