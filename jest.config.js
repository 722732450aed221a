/** Default test tier: unit tests plus in-process emulator tests. Fast, deterministic, no real n8n. */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/', '/test/ui/', '/test/reliability/'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
	collectCoverageFrom: ['nodes/**/*.ts', 'credentials/**/*.ts'],
	testTimeout: 30000,
};
