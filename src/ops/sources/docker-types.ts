/**
 * The subset of the Docker Engine API (1.41 and later) the doctor reads and writes, and the
 * DockerClient seam with two implementations: HttpDockerClient (unix socket or tcp, node:http)
 * and MemoryDocker (tests).
 */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  State: string;
  Status: string;
  Labels: Record<string, string>;
}

export interface ContainerInspect {
  Id: string;
  Name: string;
  Created: string;
  RestartCount: number;
  Image: string;
  State: {
    Status: string;
    Running: boolean;
    Pid: number;
    ExitCode: number;
    OOMKilled?: boolean;
    StartedAt: string;
    FinishedAt: string;
    Health?: { Status: string; FailingStreak?: number; Log?: Array<{ ExitCode: number; Output: string }> };
  };
  Config: {
    Image: string;
    Labels: Record<string, string> | null;
    Healthcheck?: { Test?: string[] } | null;
    Cmd?: string[] | null;
    /** `NAME=value` entries (the optimizer reads Ollama's settings from them). */
    Env?: string[] | null;
  };
  HostConfig: {
    Memory: number;
    MemorySwap?: number;
    NanoCpus: number;
    CpuQuota?: number;
    CpuPeriod?: number;
    /** Logical CPUs the container may run on, Linux list syntax (`0-3,8`); empty = all. */
    CpusetCpus?: string;
    NetworkMode?: string;
    RestartPolicy?: { Name: string; MaximumRetryCount?: number };
    PortBindings?: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | null;
  };
  NetworkSettings?: {
    Networks?: Record<string, { Aliases?: string[] | null; Links?: string[] | null }> | null;
    Ports?: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | null;
  };
}

export interface DockerEvent {
  Type: string;
  Action: string;
  id?: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  time: number;
  timeNano?: number;
}

export interface ImageSummary {
  Id: string;
  Size: number;
  RepoTags?: string[] | null;
}

export interface VolumeSummary {
  Name: string;
  Driver?: string;
  Labels?: Record<string, string> | null;
  Options?: Record<string, string> | null;
  UsageData?: { Size: number; RefCount: number } | null;
}

export interface NetworkSummary {
  Id: string;
  Name: string;
}

export interface ContainerUpdate {
  Memory?: number;
  MemorySwap?: number;
  NanoCpus?: number;
  RestartPolicy?: { Name: string; MaximumRetryCount?: number };
}

export interface MemoryStats {
  usage: number;
  limit: number;
  /** Cumulative CPU time in seconds (cpu_stats.cpu_usage.total_usage), when the engine gave it. */
  cpuSeconds?: number;
}

export interface EventFilter {
  type?: string[];
  event?: string[];
  container?: string[];
  label?: string[];
}

export interface DockerClient {
  /** Negotiated API version and engine version. */
  version(): Promise<{ apiVersion: string; engineVersion: string }>;
  listContainers(opts: {
    all: boolean;
    nameFilter?: string;
    labelFilter?: string[];
  }): Promise<ContainerSummary[]>;
  inspectContainer(id: string): Promise<ContainerInspect>;
  /** Past events in [since, until] (unix seconds); returns when `until` is reached. */
  events(opts: { since: number; until: number; filters?: EventFilter }): Promise<DockerEvent[]>;
  /** Follows live events until the signal aborts. */
  streamEvents(filters: EventFilter, onEvent: (e: DockerEvent) => void, signal: AbortSignal): Promise<void>;
  danglingImages(): Promise<ImageSummary[]>;
  danglingVolumes(): Promise<VolumeSummary[]>;
  danglingNetworks(): Promise<NetworkSummary[]>;
  memoryStats(id: string): Promise<MemoryStats | undefined>;
  updateContainer(id: string, update: ContainerUpdate): Promise<void>;
  /**
   * `removeVolumes` also removes the container's anonymous volumes (the image's VOLUME paths not
   * mounted by name); named volumes are never removed with a container.
   */
  removeContainer(id: string, opts: { force: boolean; removeVolumes?: boolean }): Promise<void>;
  startContainer(id: string): Promise<void>;
  stopContainer(id: string, timeoutSeconds?: number): Promise<void>;
  renameContainer(id: string, name: string): Promise<void>;
  /** POST /containers/create; `body` is Config plus HostConfig and NetworkingConfig. */
  createContainer(
    name: string,
    body: Record<string, unknown>,
    opts?: { timeoutMs?: number },
  ): Promise<string>;
  restartContainer(id: string, timeoutSeconds?: number): Promise<void>;
  /**
   * Removal is by exact id or name only. The engine's prune endpoints are not part of this seam:
   * under API 1.41 `/volumes/prune` deletes named volumes too, and on a shared engine a prune
   * reaches far beyond what the doctor audited (decision 0045).
   */
  removeImage(id: string): Promise<void>;
  inspectVolume(name: string): Promise<VolumeSummary>;
  removeVolume(name: string): Promise<void>;
  createVolume(spec: {
    Name: string;
    Driver?: string;
    Labels?: Record<string, string>;
    DriverOpts?: Record<string, string>;
  }): Promise<void>;
  removeNetwork(idOrName: string): Promise<void>;
  /** Local image ids (a never-started helper container needs one to mount a volume). */
  listImageIds(): Promise<string[]>;
  /** Tar of `path` inside a (possibly never-started) container: GET /containers/{id}/archive. */
  getArchive(id: string, path: string): Promise<Buffer>;
  /** Extracts a tar into `path` inside a container: PUT /containers/{id}/archive. */
  putArchive(id: string, path: string, tar: Buffer): Promise<void>;
}

/** A failed Engine API call: HTTP status (0 for transport errors) and the engine's message. */
export class DockerApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'DockerApiError';
  }
}
