import type { IncomingMessage } from 'node:http';
import { authorize, type AuthConfig } from '../../../lib/api/auth';

const req = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as IncomingMessage;
const code = (fn: () => void): string => { try { fn(); return 'ALLOWED'; } catch (e) { return (e as { code: string }).code; } };
const auth: AuthConfig = { tokens: [{ token: 'admin-0001', scope: 'admin' }, { token: 'reader-001', scope: 'read' }] };

describe('authorize', () => {
  it('lets everything through when no token is configured', () => {
    expect(code(() => authorize(undefined, req(), 'write'))).toBe('ALLOWED');
    expect(code(() => authorize({ tokens: [] }, req(), 'write'))).toBe('ALLOWED');
  });

  it('answers UNAUTHORIZED without a token, with another scheme and with an unknown token', () => {
    expect(code(() => authorize(auth, req(), 'read'))).toBe('UNAUTHORIZED');
    expect(code(() => authorize(auth, req('Basic YWRtaW4='), 'read'))).toBe('UNAUTHORIZED');
    expect(code(() => authorize(auth, req('Bearer admin-0002'), 'read'))).toBe('UNAUTHORIZED');
  });

  it('lets a read token read and answers FORBIDDEN when it writes or starts a private webhook', () => {
    expect(code(() => authorize(auth, req('Bearer reader-001'), 'read'))).toBe('ALLOWED');
    expect(code(() => authorize(auth, req('Bearer reader-001'), 'write'))).toBe('FORBIDDEN');
    expect(code(() => authorize({ ...auth, webhooksPublic: false }, req('bearer reader-001'), 'webhook'))).toBe('FORBIDDEN');
  });

  it('lets the admin token do everything', () => {
    for (const access of ['read', 'write', 'webhook'] as const) expect(code(() => authorize({ ...auth, webhooksPublic: false }, req('Bearer admin-0001'), access))).toBe('ALLOWED');
  });

  it('keeps webhooks public unless told otherwise', () => {
    expect(code(() => authorize(auth, req(), 'webhook'))).toBe('ALLOWED');
    expect(code(() => authorize({ ...auth, webhooksPublic: false }, req(), 'webhook'))).toBe('UNAUTHORIZED');
  });
});
