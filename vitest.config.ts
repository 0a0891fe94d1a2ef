import { defineConfig } from 'vitest/config';

// Three tiers (see docs/testing.md): unit is pure logic; integration uses PGlite, real child
// processes and HTTP on loopback; services needs TEST_DATABASE_URL, TEST_REDIS_URL, DOCKER_HOST.
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'src/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: ['test/integration/dashboard/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'services',
          include: ['test/services/**/*.test.ts'],
          poolOptions: { forks: { singleFork: true } },
        },
      },
      // The browser tests run last and alone (groupOrder): under the other files' parallel load the
      // dashboard's events stream was seen slow to come up (docs/testing.md).
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/integration/dashboard/**/*.test.ts'],
          sequence: { groupOrder: 1 },
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
