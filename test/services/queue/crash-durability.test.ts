import { afterAll, beforeAll, expect, it } from 'vitest';
import { CountingTarget, crashViolations, runCrashRounds } from '../../fixtures/queue/crash-rounds.js';
import { freshPostgresSchemaUrl } from '../../helpers/db.js';
import { describeWithService } from '../../helpers/services.js';

/**
 * Issue 9, item 2, on an external PostgreSQL: worker commits may be asynchronous there (the
 * database outlives our process), and a SIGKILL of the platform still loses nothing acknowledged.
 */
const SEED = Number(process.env.SUTAZAI_CRASH_SEED ?? Date.now() % 2 ** 31);
const CONCURRENCY = 4;

describeWithService('TEST_DATABASE_URL', 'crash durability on PostgreSQL', (baseUrl) => {
  const target = new CountingTarget(100);
  let schema: { url: string; drop: () => Promise<void> };

  beforeAll(async () => {
    await target.start();
    schema = await freshPostgresSchemaUrl(baseUrl);
  });
  afterAll(async () => {
    await target.stop();
    await schema?.drop();
  });

  it(`SIGKILLed at random moments, the platform loses no acknowledged work (seed ${SEED})`, async () => {
    let state = SEED >>> 0;
    const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const result = await runCrashRounds(target, {
      env: { DATABASE_URL: schema.url },
      rounds: 10,
      tasksPerRound: 20,
      concurrency: CONCURRENCY,
      killWithinMs: 1500,
      random,
    });
    expect(result.accepted.size).toBe(200);
    expect(crashViolations(result, target, CONCURRENCY), `seed ${SEED}`).toEqual([]);
  }, 900_000);
});
