import type { RuleDef } from '../types.js';

/** The rule catalogue. Ids are stable: never rename or reuse one. */
export const RULES: readonly RuleDef[] = [
  {
    id: 'phantom-service',
    title: 'Declared service is not running',
    category: 'inventory',
    severity: 'high',
    rationale:
      'A service that is declared and active (in an enabled profile, replicas > 0) but has no running container is a phantom: dashboards and dependants believe it exists.',
    evidence: 'service, declared replicas, containers found and their states/exit codes',
    remediation:
      'Start it (docker compose up -d <service>), fix why it exits, or set replicas: 0 / move it to a profile if it is not wanted.',
    fix: 'manual',
  },
  {
    id: 'orphan-container',
    title: 'Container of a service that is no longer declared',
    category: 'inventory',
    severity: 'medium',
    rationale:
      'Compose labels say the container belongs to this project, but its service is gone from the compose files; it holds memory, ports and names nobody manages.',
    evidence: 'container name and id, com.docker.compose.service label, state',
    remediation: 'Remove it (docker compose up --remove-orphans, or `sutazai doctor fix --apply`).',
    fix: 'behaviour-changing',
  },
  {
    id: 'stray-container',
    title: 'Container without compose labels',
    category: 'inventory',
    severity: 'low',
    rationale:
      'A container started by hand (no com.docker.compose.project label) is outside every declaration; it is invisible to reviews and rebuilds.',
    evidence: 'container name and id, image, state',
    remediation: 'Declare it in a compose file or remove it.',
    fix: 'manual',
  },
  {
    id: 'port-conflict',
    title: 'Host port claimed twice',
    category: 'ports',
    severity: 'high',
    rationale:
      'Two services, two projects, or a service and a non-Docker process want the same host port; one of them fails to start or silently serves the wrong thing.',
    evidence: 'port, the claimants (service, project, container or pid/command) and the compose line',
    remediation: 'Give one claimant another port, and record the choice in the port registry.',
    fix: 'manual',
  },
  {
    id: 'registry-drift',
    title: 'Port registry, compose and live state disagree',
    category: 'ports',
    severity: 'medium',
    rationale:
      'The port registry is the agreed map of host ports; a compose file or a running container that publishes something else drifts from it.',
    evidence: 'service, registry port, declared port(s), live port(s)',
    remediation: 'Change the compose file to the registry port, or update the registry deliberately.',
    fix: 'manual',
  },
  {
    id: 'no-memory-limit',
    title: 'Container has no memory limit',
    category: 'resources',
    severity: 'medium',
    rationale: 'Without a limit one leaking container can push the whole host into swap or the OOM killer.',
    evidence: 'container, HostConfig.Memory, declared limit, observed usage',
    remediation: 'Set deploy.resources.limits.memory (the fix sets it live and in the compose file).',
    fix: 'safe',
  },
  {
    id: 'no-cpu-limit',
    title: 'Container has no CPU limit',
    category: 'resources',
    severity: 'low',
    rationale: 'Without a CPU limit a busy container starves its neighbours, including the database.',
    evidence: 'container, HostConfig.NanoCpus/CpuQuota, declared cpus',
    remediation: 'Set deploy.resources.limits.cpus (the fix sets it live and in the compose file).',
    fix: 'safe',
  },
  {
    id: 'restart-loop',
    title: 'Container is in a restart loop',
    category: 'health',
    severity: 'high',
    rationale:
      'At least 3 exits after short runs within 10 minutes means the container never becomes useful and burns CPU restarting.',
    evidence: 'exits in the window, run lengths, exit codes, RestartCount and its delta',
    remediation:
      'Read its logs and fix the cause; the fix caps the restart policy (on-failure:3) so it stops looping.',
    fix: 'behaviour-changing',
  },
  {
    id: 'unhealthy',
    title: 'Container healthcheck is failing',
    category: 'health',
    severity: 'high',
    rationale: 'Docker itself says the container is unhealthy; it is running but not serving.',
    evidence: 'health status, failing streak, last probe output',
    remediation:
      'Read the health log (docker inspect) and fix the service; watch mode may restart it within a budget.',
    fix: 'behaviour-changing',
  },
  {
    id: 'no-healthcheck',
    title: 'Container has no healthcheck',
    category: 'health',
    severity: 'low',
    rationale: 'Without a healthcheck "running" is the only state Docker knows; a hung process looks fine.',
    evidence: 'container, image',
    remediation: 'Add a healthcheck to the service.',
    fix: 'manual',
  },
  {
    id: 'dangling-images',
    title: 'Dangling images',
    category: 'hygiene',
    severity: 'low',
    rationale: 'Untagged images left by rebuilds hold disk space nobody uses.',
    evidence: 'count and reclaimable bytes',
    remediation: 'docker image prune (the fix does it and reports bytes freed).',
    fix: 'safe',
  },
  {
    id: 'dangling-volumes',
    title: 'Dangling volumes',
    category: 'hygiene',
    severity: 'low',
    rationale: 'Volumes no container uses hold disk space; they may also hold data someone wants.',
    evidence: 'names and reclaimable bytes',
    remediation: 'Check them, then docker volume prune (the fix does it: data is deleted).',
    fix: 'behaviour-changing',
  },
  {
    id: 'dangling-networks',
    title: 'Unused networks',
    category: 'hygiene',
    severity: 'info',
    rationale: 'Networks no container uses clutter the engine and can collide with new subnets.',
    evidence: 'names',
    remediation: 'docker network prune (the fix does it).',
    fix: 'safe',
  },
  {
    id: 'stale-container',
    title: 'Container is older than its compose declaration',
    category: 'inventory',
    severity: 'medium',
    rationale:
      'The service definition changed after the container was created (config hash differs), so what runs is not what is declared.',
    evidence: 'container, config-hash label, declared hash at baseline and now',
    remediation: 'Recreate it: docker compose up -d <service>.',
    fix: 'manual',
  },
  {
    id: 'process-sprawl',
    title: 'Too many processes of one kind',
    category: 'processes',
    severity: 'medium',
    rationale:
      'Processes grouped by normalised command line exceed their budget (for example more than 10 MCP servers): leaks of children that were never reaped.',
    evidence: 'fingerprint, count, budget, pids, total RSS',
    remediation:
      'Find who spawns them; stop the extras; run MCP servers under the SutazAI gateway, which caps them.',
    fix: 'manual',
  },
  {
    id: 'memory-pressure',
    title: 'Memory use near the limit',
    category: 'resources',
    severity: 'high',
    rationale:
      'A container (or platform child) above the pressure ratio of its memory limit is close to being OOM-killed.',
    evidence: 'usage, limit, ratio',
    remediation: 'Raise the limit (from observed peak plus headroom) or find the leak.',
    fix: 'behaviour-changing',
  },
];

const BY_ID = new Map(RULES.map((r) => [r.id, r]));

export function ruleById(id: string): RuleDef | undefined {
  return BY_ID.get(id);
}
