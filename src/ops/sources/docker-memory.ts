import {
  DockerApiError,
  type ContainerInspect,
  type ContainerSummary,
  type ContainerUpdate,
  type DockerClient,
  type DockerEvent,
  type EventFilter,
  type ImageSummary,
  type MemoryStats,
  type NetworkSummary,
  type VolumeSummary,
} from './docker-types.js';

/** An in-memory Docker engine for unit tests and benches: state is plain data you arrange. */
export class MemoryDocker implements DockerClient {
  containers: ContainerInspect[] = [];
  pastEvents: DockerEvent[] = [];
  images: ImageSummary[] = [];
  volumes: VolumeSummary[] = [];
  networks: NetworkSummary[] = [];
  stats = new Map<string, MemoryStats>();
  /** Every mutating call, in order, for assertions. */
  calls: Array<{ op: string; id?: string; args?: unknown }> = [];
  private listeners = new Set<(e: DockerEvent) => void>();

  async version() {
    return { apiVersion: '1.41', engineVersion: 'memory' };
  }

  private find(id: string): ContainerInspect {
    const c = this.containers.find((x) => x.Id === id || x.Id.startsWith(id) || x.Name === `/${id}`);
    if (!c) throw new DockerApiError(404, `No such container: ${id}`);
    return c;
  }

  async listContainers(opts: { all: boolean; nameFilter?: string }): Promise<ContainerSummary[]> {
    return this.containers
      .filter((c) => opts.all || c.State.Running)
      .filter((c) => !opts.nameFilter || new RegExp(opts.nameFilter).test(c.Name))
      .map((c) => ({
        Id: c.Id,
        Names: [c.Name],
        Image: c.Config.Image,
        State: c.State.Status,
        Status: c.State.Status,
        Labels: c.Config.Labels ?? {},
      }));
  }

  async inspectContainer(id: string): Promise<ContainerInspect> {
    return structuredClone(this.find(id));
  }

  async events(opts: { since: number; until: number; filters?: EventFilter }): Promise<DockerEvent[]> {
    return this.pastEvents.filter((e) => e.time >= opts.since && e.time <= opts.until);
  }

  async streamEvents(_f: EventFilter, onEvent: (e: DockerEvent) => void, signal: AbortSignal): Promise<void> {
    this.listeners.add(onEvent);
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    this.listeners.delete(onEvent);
  }

  /** Delivers a live event to streamEvents subscribers. */
  emit(event: DockerEvent): void {
    for (const l of this.listeners) l(event);
  }

  async danglingImages() {
    return structuredClone(this.images);
  }
  async danglingVolumes() {
    return structuredClone(this.volumes);
  }
  async danglingNetworks() {
    return structuredClone(this.networks);
  }
  async memoryStats(id: string) {
    return this.stats.get(id);
  }

  async updateContainer(id: string, update: ContainerUpdate): Promise<void> {
    const c = this.find(id);
    this.calls.push({ op: 'update', id: c.Id, args: update });
    if (update.Memory !== undefined) c.HostConfig.Memory = update.Memory;
    if (update.NanoCpus !== undefined) c.HostConfig.NanoCpus = update.NanoCpus;
    if (update.RestartPolicy) c.HostConfig.RestartPolicy = update.RestartPolicy;
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.find(id);
    this.calls.push({ op: 'remove', id: c.Id });
    this.containers = this.containers.filter((x) => x !== c);
  }

  async startContainer(id: string): Promise<void> {
    const c = this.find(id);
    this.calls.push({ op: 'start', id: c.Id });
    c.State.Running = true;
    c.State.Status = 'running';
  }

  async stopContainer(id: string): Promise<void> {
    const c = this.find(id);
    this.calls.push({ op: 'stop', id: c.Id });
    c.State.Running = false;
    c.State.Status = 'exited';
  }

  async renameContainer(id: string, name: string): Promise<void> {
    const c = this.find(id);
    this.calls.push({ op: 'rename', id: c.Id, args: name });
    c.Name = `/${name}`;
  }

  async createContainer(name: string, body: Record<string, unknown>): Promise<string> {
    const id = `mem${this.containers.length}${Date.now().toString(16)}`.padEnd(64, '0');
    this.calls.push({ op: 'create', id, args: body });
    const c = fakeContainer({
      id,
      name,
      running: false,
      labels: (body.Labels as Record<string, string>) ?? {},
    });
    c.HostConfig = structuredClone(body.HostConfig as typeof c.HostConfig);
    this.containers.push(c);
    return id;
  }

  async restartContainer(id: string): Promise<void> {
    const c = this.find(id);
    this.calls.push({ op: 'restart', id: c.Id });
    c.State.Running = true;
    c.State.Status = 'running';
  }

  async removeImage(id: string): Promise<void> {
    this.calls.push({ op: 'remove-image', id });
    const before = this.images.length;
    this.images = this.images.filter((i) => i.Id !== id);
    if (this.images.length === before) throw new DockerApiError(404, `No such image: ${id}`);
  }

  async inspectVolume(name: string): Promise<VolumeSummary> {
    const v = this.volumes.find((x) => x.Name === name);
    if (!v) throw new DockerApiError(404, `no such volume: ${name}`);
    return structuredClone(v);
  }

  async removeVolume(name: string): Promise<void> {
    this.calls.push({ op: 'remove-volume', id: name });
    await this.inspectVolume(name);
    this.volumes = this.volumes.filter((v) => v.Name !== name);
  }

  async createVolume(spec: {
    Name: string;
    Driver?: string;
    Labels?: Record<string, string>;
  }): Promise<void> {
    this.calls.push({ op: 'create-volume', id: spec.Name });
    this.volumes.push({ Name: spec.Name, Driver: spec.Driver ?? 'local', Labels: spec.Labels ?? {} });
  }

  async removeNetwork(idOrName: string): Promise<void> {
    this.calls.push({ op: 'remove-network', id: idOrName });
    this.networks = this.networks.filter((n) => n.Id !== idOrName && n.Name !== idOrName);
  }

  async listImageIds(): Promise<string[]> {
    return this.images.map((i) => i.Id);
  }

  /** Volume contents are not modelled: archives are empty. */
  async getArchive(): Promise<Buffer> {
    return Buffer.alloc(0);
  }

  async putArchive(id: string, path: string): Promise<void> {
    this.calls.push({ op: 'put-archive', id, args: path });
  }
}

/** A container inspect record with sensible defaults, for tests and benches. */
export function fakeContainer(
  partial: { id: string; name: string; labels?: Record<string, string> } & {
    running?: boolean;
    memory?: number;
    nanoCpus?: number;
    health?: string;
    healthcheck?: boolean;
    restartCount?: number;
    pid?: number;
    startedAt?: string;
  },
): ContainerInspect {
  const running = partial.running ?? true;
  return {
    Id: partial.id,
    Name: `/${partial.name}`,
    Created: '2026-01-01T00:00:00Z',
    RestartCount: partial.restartCount ?? 0,
    Image: 'sha256:0',
    State: {
      Status: running ? 'running' : 'exited',
      Running: running,
      Pid: partial.pid ?? 0,
      ExitCode: running ? 0 : 1,
      StartedAt: partial.startedAt ?? '2026-01-01T00:00:00Z',
      FinishedAt: '0001-01-01T00:00:00Z',
      ...(partial.health ? { Health: { Status: partial.health } } : {}),
    },
    Config: {
      Image: 'sutazai-test/busybox:1',
      Labels: partial.labels ?? {},
      Healthcheck: partial.healthcheck === false ? null : { Test: ['CMD', 'true'] },
    },
    HostConfig: {
      Memory: partial.memory ?? 0,
      NanoCpus: partial.nanoCpus ?? 0,
      RestartPolicy: { Name: 'no' },
    },
  };
}
