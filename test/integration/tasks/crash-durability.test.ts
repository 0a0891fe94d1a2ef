import { afterAll, beforeAll, expect, it } from 'vitest';
import { CountingTarget, crashViolations, runCrashRounds } from '../../fixtures/queue/crash-rounds.js';

/**
 * Issue 9, item 2, on the embedded engine: with PGlite the crash of our process IS the database
 * crash, so every claim and outcome must reach the WAL before the next step.
 */
const SEED = Number(process.env.SUTAZAI_CRASH_SEED ?? Date.now() % 2 ** 31);
const CONCURRENCY = 4;
const target = new CountingTarget(100);

beforeAll(() => target.start());
afterAll(() => target.stop());

it(`SIGKILLed at random moments, the platform on PGlite loses no acknowledged work (seed ${SEED})`, async () => {
  const result = await runCrashRounds(target, {
    rounds: 10,
    tasksPerRound: 20,
    concurrency: CONCURRENCY,
    killWithinMs: 1500,
    random: mulberry32(SEED),
  });
  expect(result.accepted.size).toBe(200);
  expect(crashViolations(result, target, CONCURRENCY), `seed ${SEED}`).toEqual([]);
}, 900_000);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
