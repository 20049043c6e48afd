/** Tests are compiled by tsc into dist/ first (npm test does it), so jest runs plain ESM. */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist/test'],
  testMatch: ['**/*.test.js'],
  transform: {},
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
};
