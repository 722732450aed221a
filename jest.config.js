/** Default test tier: unit tests plus in-process emulator tests. Fast, deterministic, no real n8n. */
const os = require('os');

module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/', '/test/ui/', '/test/reliability/'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
	collectCoverageFrom: ['nodes/**/*.ts', 'credentials/**/*.ts'],
	testTimeout: 30000,
	// Jest's default is one worker less than the cores: on the 2-core CI machine that is one, and the
	// whole suite then runs in band. Many files wait on real sockets and child processes, so a
	// second worker overlaps those waits with another file's work. At least two, then.
	maxWorkers: Math.max(2, os.availableParallelism() - 1),
};
