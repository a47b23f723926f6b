/**
 * Helpers for named limits (STYLE §6): every queue, buffer and length has a
 * maximum, checked before anything is allocated for it.
 */
import { assert } from './assert.js';

/** Thrown when a configured limit is not a positive safe integer. */
export function assertLimit(name: string, value: number): void {
  assert(Number.isSafeInteger(value) && value > 0, `limit ${name} must be a positive integer, got ${value}`);
}

/** Asserts that limit `smallerName` is strictly below `largerName`. */
export function assertLimitBelow(smallerName: string, smaller: number, largerName: string, larger: number): void {
  assert(smaller < larger, `limit ${smallerName} (${smaller}) must be below ${largerName} (${larger})`);
}
