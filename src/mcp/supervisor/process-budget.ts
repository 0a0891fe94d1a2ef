import { mcpProcessCap } from '../../metrics/index.js';

/** The global cap on MCP child processes: reserved before a spawn, released when it exits. */
export class ProcessBudget {
  private used = 0;

  constructor(readonly cap: number) {
    mcpProcessCap.set(cap);
  }

  tryReserve(): boolean {
    if (this.used >= this.cap) return false;
    this.used++;
    return true;
  }

  release(): void {
    this.used = Math.max(0, this.used - 1);
  }

  get inUse(): number {
    return this.used;
  }
}
