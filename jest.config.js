// One jest run covers every tier: pure unit tests, chart rendering, the Pulumi engine and the real brokers.
// Suites that drive real processes set their own timeouts; nothing is skipped when a tool is missing.
const { existsSync } = require("node:fs");

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["toolchain", "contract", "brokers", "charts", "infra", "embedded", "smoke-tests", "operations", "images"]
    .filter((d) => existsSync(`${__dirname}/${d}`))
    .map((d) => `<rootDir>/${d}`),
  testMatch: ["**/*.test.ts"],
  // The cluster tier's tests beside the code they test (*.cluster.test.ts) need `npm run cluster:up`: test:cluster runs them.
  testPathIgnorePatterns: ["/node_modules/", "\\.cluster\\.test\\.ts$"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 60_000,
  // Brokers and the Pulumi engine are heavy on 2 cores: run suites one after another.
  maxWorkers: 1,
  verbose: false,
  // A client socket left open by a failed drill must not hang CI until its 90-minute limit: exit when the run ends.
  forceExit: true,
};
