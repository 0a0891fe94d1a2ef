import path from 'node:path';
import type { DoctorConfig } from '../config/schema.js';
import type { AuditOptions } from './audit.js';
import { policyFrom } from './limits/evidence.js';
import type { RuleOptions } from './rules/context.js';
import { assertKnownRules } from './rules/rule-ids.js';
import type { DockerClient } from './sources/docker-types.js';
import type { PlatformSourceOptions } from './sources/platform.js';
import { FileStateStore, type StateStore } from './state.js';

export function ruleOptionsFrom(config: DoctorConfig): RuleOptions {
  return {
    processBudgets: config.processBudgets,
    memoryPressureRatio: config.memoryPressureRatio,
    restartLoop: config.restartLoop,
    limitPolicy: policyFrom(config),
  };
}

/** Where the doctor keeps state and backups: `<dataDir>/doctor`. */
export function doctorDir(dataDir: string): string {
  return path.resolve(dataDir, 'doctor');
}

export interface AuditRequest {
  files?: string[];
  projectName?: string;
  profiles?: string[];
  envFile?: string;
  registryFile?: string;
  nameFilter?: string;
  only?: string[];
  skip?: string[];
  /** Sources to leave out, e.g. ['processes', 'platform']. */
  without?: string[];
  cwd?: string;
}

export interface AuditDeps {
  config: DoctorConfig;
  dataDir: string;
  docker?: DockerClient;
  platform?: PlatformSourceOptions;
  stateStore?: StateStore;
}

/** Turns config + one request (CLI flags or API body) into audit options. */
export function auditOptions(deps: AuditDeps, req: AuditRequest = {}): AuditOptions {
  assertKnownRules(req.only ?? [], '--only');
  assertKnownRules(req.skip ?? [], '--skip');
  assertKnownRules(
    deps.config.suppressions.map((s) => s.rule),
    'doctor.suppressions',
    ['*'],
  );
  const without = new Set(req.without ?? []);
  const files = req.files?.length ? req.files : deps.config.composeFiles;
  const projectName = req.projectName ?? deps.config.projectName;
  const registryFile = req.registryFile ?? deps.config.registryFile;
  const nameFilter = req.nameFilter ?? deps.config.nameFilter;
  return {
    ...(deps.docker && !without.has('docker') ? { docker: deps.docker } : {}),
    ...(!without.has('compose')
      ? {
          compose: {
            files,
            ...(projectName ? { projectName } : {}),
            ...(req.profiles ? { profiles: req.profiles } : {}),
            ...(req.envFile ? { envFile: req.envFile } : {}),
            ...(req.cwd ? { cwd: req.cwd } : {}),
          },
        }
      : {}),
    ...(registryFile && !without.has('registry')
      ? { registryFile: path.resolve(req.cwd ?? process.cwd(), registryFile) }
      : {}),
    listeners: !without.has('listeners'),
    processes: !without.has('processes'),
    ...(deps.platform && !without.has('platform') ? { platform: deps.platform } : {}),
    ...(nameFilter ? { nameFilter } : {}),
    ...(req.only?.length ? { only: req.only } : {}),
    ...(req.skip?.length ? { skip: req.skip } : {}),
    rules: ruleOptionsFrom(deps.config),
    suppressions: deps.config.suppressions,
    stateStore: deps.stateStore ?? new FileStateStore(path.join(doctorDir(deps.dataDir), 'state.json')),
  };
}
