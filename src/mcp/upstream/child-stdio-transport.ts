import {
  ReadBuffer,
  serializeMessage,
  type JSONRPCMessage,
  type Transport,
} from '@modelcontextprotocol/client';
import type { ServerChild } from '../process/child.js';

/**
 * An MCP Transport over a process the supervisor spawned and owns. Unlike the SDK's
 * StdioClientTransport it never spawns or kills anything: closing the transport only detaches;
 * the supervisor decides the process's fate. The child exiting closes the transport.
 */
export class ChildStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly buffer = new ReadBuffer();
  private closed = false;

  constructor(private readonly child: ServerChild) {}

  async start(): Promise<void> {
    const { stdout, stdin } = this.child.proc;
    if (!stdout || !stdin) throw new Error('child has no stdio pipes');
    stdout.on('data', (chunk: Buffer) => {
      this.buffer.append(chunk);
      this.drain();
    });
    stdout.on('error', (err) => this.onerror?.(err));
    void this.child.exited.then(() => this.finish());
  }

  private drain(): void {
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.buffer.readMessage();
      } catch (err) {
        // A server that prints a non-JSON line to stdout: report and keep reading.
        this.onerror?.(err as Error);
        continue;
      }
      if (message === null) return;
      this.onmessage?.(message);
    }
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child.proc.stdin;
    if (this.closed || !stdin || stdin.destroyed) throw new Error('MCP server process is not running');
    await new Promise<void>((resolve, reject) => {
      const ok = stdin.write(serializeMessage(message), (err) => (err ? reject(err) : undefined));
      if (ok) resolve();
      else stdin.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer.clear();
    this.onclose?.();
  }
}
