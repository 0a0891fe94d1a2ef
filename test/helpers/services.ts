import { describe } from 'vitest';

export type ServiceVar =
  'TEST_DATABASE_URL' | 'TEST_REDIS_URL' | 'DOCKER_HOST' | 'SUTAZAI_CONFORMANCE_SERVER';

/**
 * Services-tier gate. With the address in the environment the suite runs. Without it the suite is
 * skipped with the reason printed, except under CI=true, where a missing service is a failure:
 * CI provisions all three, so a missing one means the provisioning broke.
 */
export function describeWithService(
  variable: ServiceVar,
  title: string,
  body: (address: string) => void,
): void {
  const address = process.env[variable];
  if (address) {
    describe(title, () => body(address));
    return;
  }
  if (process.env.CI === 'true') {
    describe(title, () => {
      throw new Error(`${variable} is not set: CI must provide it for the services tier (${title})`);
    });
    return;
  }
  console.warn(`[services] skipping "${title}": ${variable} is not set`);
  describe.skip(`${title} (skipped: ${variable} not set)`, () => body(''));
}
