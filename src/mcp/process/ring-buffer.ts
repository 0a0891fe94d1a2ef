/** Bounded buffer of the last `capacity` lines; older lines are dropped and counted. */
export class LineRing {
  private readonly lines: string[] = [];
  private partial = '';
  dropped = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxLineLength = 2000,
  ) {}

  write(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = (parts.pop() ?? '').slice(0, this.maxLineLength);
    for (const line of parts) this.push(line);
  }

  private push(line: string): void {
    this.lines.push(line.length > this.maxLineLength ? `${line.slice(0, this.maxLineLength)}…` : line);
    if (this.lines.length > this.capacity) {
      this.lines.shift();
      this.dropped++;
    }
  }

  tail(n = this.capacity): string[] {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-n);
  }
}
