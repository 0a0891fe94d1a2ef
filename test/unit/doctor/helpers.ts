import { DoctorConfigSchema } from '../../../src/config/schema.js';
import { MemoryDocker, MemoryStateStore, fakeContainer, ruleOptionsFrom } from '../../../src/ops/index.js';

export const config = DoctorConfigSchema.parse({});
export const rules = ruleOptionsFrom(config);

export function composeLabels(project: string, service: string, hash = 'h1'): Record<string, string> {
  return {
    'com.docker.compose.project': project,
    'com.docker.compose.service': service,
    'com.docker.compose.config-hash': hash,
  };
}

/** A healthy, limited container of `project/service`. */
export function good(id: string, project: string, service: string) {
  return fakeContainer({
    id: id.padEnd(64, '0'),
    name: `${project}-${service}-1`,
    labels: composeLabels(project, service),
    memory: 64 << 20,
    nanoCpus: 5e8,
  });
}

export function memoryEnv() {
  return { docker: new MemoryDocker(), stateStore: new MemoryStateStore() };
}
