import type { SourceLocation } from '../types.js';

export interface PublishedPort {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

export interface ServiceSuppression {
  rule: string;
  reason: string;
  location?: SourceLocation;
}

/** One declared service after merging, interpolation and profile/replica resolution. */
export interface ServiceDecl {
  name: string;
  /** The merged, interpolated service mapping. */
  config: Record<string, unknown>;
  /** In an active profile and replicas > 0: it is expected to be running. */
  active: boolean;
  replicas: number;
  profiles: string[];
  /** Where the service key is, in the last file that defines it. */
  location?: SourceLocation;
  /** Dotted key path inside the service (`ports`, `deploy.resources.limits.memory`) → location. */
  keyLocations: Record<string, SourceLocation>;
  ports: PublishedPort[];
  memoryLimit?: number;
  cpuLimit?: number;
  networkMode?: string;
  /** `x-sutazai.kind`, or a kind guessed from name and image (database, cache, agent, monitoring). */
  kind: string;
  suppressions: ServiceSuppression[];
}

export interface ComposeProject {
  name: string;
  workingDir: string;
  files: string[];
  activeProfiles: string[];
  services: ServiceDecl[];
}
