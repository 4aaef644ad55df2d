// Jest global teardown: the run fails when the secrets probe (test/setup/secrets-probe.js) saw a
// secret leave Aloft in an API answer, a log line, a task's output or a process's output.
'use strict';
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

module.exports = async function secretsTeardown() {
  const dir = process.env.ALOFT_TEST_SECRET_HITS;
  if (!dir || !existsSync(dir)) return;
  const hits = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
  if (hits.length === 0) return;
  const shown = hits.slice(0, 20).map((h) => `- ${h.sink} in ${h.file ?? h.argv.join(' ')}${h.test ? ` (${h.test})` : ''}: …${h.around}…`);
  throw new Error(`the secrets probe saw ${hits.length} secret value(s) leave Aloft:\n${shown.join('\n')}\n(all hits: ${dir})`);
};
