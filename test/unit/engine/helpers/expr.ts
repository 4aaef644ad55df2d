// Until lib/expr/index.ts exists, the engine's `import '../expr'` resolves to the shim. Import this
// module before any engine module. Once lib/expr lands, the real module wins and this does nothing.
// (jest.mock is hoisted above imports, hence the inline require.)
// eslint-disable-next-line @typescript-eslint/no-require-imports -- temporary, see above
jest.mock(require('node:path').resolve(__dirname, '../../../../lib/expr'), () => jest.requireActual('./expr-shim'), { virtual: true });

export {};
