/**
 * `npm run test:reliability`: fault matrix, bad-input corpus, cancellation, soak and security checks
 * (test/reliability). One worker: the soak measures throughput and heap, and the machine is shared.
 * The reporter prints the summary table and fails the run on any lost item, unexpected duplicate
 * write or key leak recorded by the tests.
 */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/reliability'],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
	maxWorkers: 1,
	testTimeout: 60000,
	globalSetup: '<rootDir>/test/reliability/globalSetup.js',
	reporters: ['<rootDir>/test/reliability/reporter.js'],
};
