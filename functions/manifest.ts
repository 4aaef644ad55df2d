// The functions and how they are triggered: defined in lib/wiring/manifest.ts (lib/dev and the infra
// checks read it too), re-exported here for the build (scripts/build-functions.mjs) and infra/.
export * from '../lib/wiring/manifest';
