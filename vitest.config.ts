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
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'services',
          include: ['test/services/**/*.test.ts'],
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
