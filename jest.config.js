// Tests run through @swc/jest (type-stripping only); `npm run typecheck` does the type checking.
// `npm test` runs the projects that need no external service (unit, contract on local adapters, e2e embedded);
// `npm run test:all` starts the services and runs every project.
const transform = { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
// The secrets probe watches every test file and every process it starts (test/setup/secrets-probe.js).
const base = { transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'], setupFiles: ['<rootDir>/test/setup/secrets-probe.js'] };
const NEEDS_SERVICES = ['\\.emulator\\.test\\.ts$', '/test/e2e/cloud-[^/]*\\.test\\.ts$'];

module.exports = {
  // A private TMPDIR per run; the run fails when a test leaves anything in it (test/setup/temp-folders.ts),
  // or when the secrets probe saw a secret leave Aloft (test/setup/secrets-probe.js).
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  // A guard against hangs, not a speed check: many cases start real processes, emulators or databases,
  // and on a loaded 2-core machine jest's 5 s default failed cases that pass in under a second alone.
  testTimeout: 30_000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...base, displayName: 'contract', testMatch: ['<rootDir>/test/contract/**/*.test.ts'], testPathIgnorePatterns: NEEDS_SERVICES },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/contract/**/*.emulator.test.ts'],
    },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], testPathIgnorePatterns: NEEDS_SERVICES },
    { ...base, displayName: 'e2e-cloud', testMatch: ['<rootDir>/test/e2e/cloud-*.test.ts'] },
  ],
};
