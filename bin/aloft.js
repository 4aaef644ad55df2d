#!/usr/bin/env node
'use strict';
// `npm ci` runs `prepare`, which builds dist/. Run `npm run build` after editing lib/.
require('../dist/cli.js').main(process.argv.slice(2), process.env).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`aloft: internal error: ${err && err.message ? err.message : err}`); process.exitCode = 70; },
);
