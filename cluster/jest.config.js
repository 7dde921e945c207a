// The cluster tier: tests against the live cluster of `npm run cluster:up` (cluster/). Not part of the default
// `npm test` run (jest.config.js's roots leave cluster/ out); run it with `npm run test:cluster`.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: "..",
  testEnvironment: "node",
  // The cluster's own tests, and tests of the product's code that need a live cluster (*.cluster.test.ts beside it).
  roots: ["<rootDir>/cluster", "<rootDir>/smoke-tests"],
  testMatch: ["<rootDir>/cluster/**/*.test.ts", "**/*.cluster.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 120_000,
  maxWorkers: 1,
  forceExit: true,
};
