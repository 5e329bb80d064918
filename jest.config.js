/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 30000,
  // A state directory of its own for each test file (the local store of shared Five9 limits).
  setupFilesAfterEnv: ['<rootDir>/test/setup-state.ts'],
};
