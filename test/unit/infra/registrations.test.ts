import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTIONS } from '../../../lib/wiring/manifest';
import { compareRegistrations, registrationsIn, registrationsUnder } from './registrations';

const FUNCTIONS_DIR = join(__dirname, '../../../functions');

describe('function registrations', () => {
  it('reads literal http and cloudEvent registrations with their line', () => {
    const text = "import * as ff from '@google-cloud/functions-framework';\nff.http('api', handler);\n\nff.cloudEvent<Data>(\n  \"workerJdbc\", h);\n";
    expect(registrationsIn(text, 'a.ts')).toEqual([
      { entryPoint: 'api', signature: 'http', file: 'a.ts', line: 2 },
      { entryPoint: 'workerJdbc', signature: 'cloudEvent', file: 'a.ts', line: 4 },
    ]);
  });

  it('reads registrations through named imports', () => {
    expect(registrationsIn("import { cloudEvent } from '@google-cloud/functions-framework';\ncloudEvent('executor', run);", 'e.ts'))
      .toEqual([{ entryPoint: 'executor', signature: 'cloudEvent', file: 'e.ts', line: 2 }]);
  });

  it('ignores registrations inside comments', () => {
    expect(registrationsIn("// functions.http('old', h)\n/* functions.cloudEvent('older', h) */\n", 'c.ts')).toEqual([]);
  });

  it('reports a manifest entry point that nothing registers, pointing at non-literal registrations', () => {
    const found = registrationsIn('for (const f of FUNCTIONS) functions.cloudEvent(f.entryPoint, h);', 'w.ts');
    expect(compareRegistrations(found, [{ entryPoint: 'workerCore', trigger: 'pubsub' }])).toEqual([
      "no file under functions/ registers \"workerCore\" (expected functions.cloudEvent('workerCore', ...); w.ts:1 register names that are not literals, which neither deploy tooling nor this test can read)",
    ]);
  });

  it('reports the wrong signature for a trigger, duplicates and extras', () => {
    const found = registrationsIn("functions.http('executor', h);\nfunctions.http('api', h);\nfunctions.http('api', h);\nfunctions.http('debug', h);", 'x.ts');
    expect(compareRegistrations(found, [{ entryPoint: 'executor', trigger: 'firestore' }, { entryPoint: 'api', trigger: 'http' }])).toEqual([
      'x.ts:1 registers "executor" with http; a firestore trigger needs cloudEvent',
      '"api" is registered 2 times: x.ts:2, x.ts:3',
      'x.ts:4 registers "debug", which functions/manifest.ts does not list',
    ]);
  });

  it('match functions/manifest.ts in the entry points under functions/', () => {
    const entryFiles = existsSync(FUNCTIONS_DIR) ? readdirSync(FUNCTIONS_DIR).filter((f) => f.endsWith('.ts') && f !== 'manifest.ts') : [];
    if (entryFiles.length === 0) {
      throw new Error('functions/ has no entry point files yet (only manifest.ts): functions/*.ts must register every manifest entry point with functions-framework');
    }
    expect(compareRegistrations(registrationsUnder(FUNCTIONS_DIR), FUNCTIONS)).toEqual([]);
  });
});
