/** Local User.com emulator (dev/test only; never imported from nodes/). */
export { startEmulator, DEFAULT_API_KEY, FAULT_KINDS, throttleDetail } from './server';
export type {
	Emulator,
	EmulatorOptions,
	EmulatorConfig,
	EmulatorStats,
	FaultSpec,
	FaultKind,
	RequestLogEntry,
} from './server';
export type { SeedData, SeedResult } from './seed';
export { demoSeed } from './seed';
export type { Quirks } from './http-types';
export { PRODUCT_EVENT_TYPES } from './api';
export { parseCsv } from './csv';
export { EmulatorState } from './state';
export { parseLatency, sampleLatency, fixedLatency, heavyTailLatency } from './latency';
export type { LatencyProfile } from './latency';
