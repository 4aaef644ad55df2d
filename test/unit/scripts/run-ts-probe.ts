// Run by run-ts.test.ts through scripts/run-ts.mjs.
console.log('probe ran');
