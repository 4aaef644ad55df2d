// Jest global setup: a fresh folder for the secrets probe's hits (test/setup/secrets-probe.js), and
// the probe loaded into every Node process the tests start.
'use strict';
const { rmSync } = require('node:fs');
const { join } = require('node:path');

module.exports = async function secretsSetup() {
  const dir = join(__dirname, '..', '..', '.aloft', 'secret-hits');
  rmSync(dir, { recursive: true, force: true });
  process.env.ALOFT_TEST_SECRET_HITS = dir;
  const probe = join(__dirname, 'secrets-probe.js');
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${probe}`.trim();
};
