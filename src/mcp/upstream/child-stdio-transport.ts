import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import { JsonRpcLineReader } from '../jsonrpc.js';
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
  private readonly reader = new JsonRpcLineReader();
  private closed = false;
  private corked = false;

  constructor(private readonly child: ServerChild) {}

  async start(): Promise<void> {
    const { stdout, stdin } = this.child.proc;
    if (!stdout || !stdin) throw new Error('child has no stdio pipes');
    stdout.on('data', (chunk: Buffer) => {
      // A server that prints something else to stdout is reported, and reading goes on.
      const messages = this.reader.push(chunk, (reason) => this.onerror?.(new Error(reason)));
      for (const message of messages) {
        // The SDK client runs notification handlers a microtask late but settles responses at
        // once, dropping progress for a request whose response came in the same read. Settling
        // responses a microtask late too keeps the server's order.
        if ('method' in message) this.onmessage?.(message);
        else queueMicrotask(() => this.onmessage?.(message));
      }
    });
    stdout.on('error', (err) => this.onerror?.(err));
    void this.child.exited.then(() => this.finish());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child.proc.stdin;
    if (this.closed || !stdin || stdin.destroyed) throw new Error('MCP server process is not running');
    // Messages sent in the same turn of the event loop leave in one write: each write to the
    // pipe wakes the server, and that syscall was the largest single cost of a call under load.
    if (!this.corked) {
      this.corked = true;
      stdin.cork();
      setImmediate(() => {
        this.corked = false;
        stdin.uncork();
      });
    }
    await new Promise<void>((resolve, reject) => {
      const ok = stdin.write(`${JSON.stringify(message)}\n`, (err) => (err ? reject(err) : undefined));
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
    this.reader.clear();
    this.onclose?.();
  }
}
