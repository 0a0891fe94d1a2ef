import type { Db } from '../db/index.js';
import type { ChatMessage, Usage } from './types.js';

export interface Conversation {
  id: string;
  title: string;
  model: string;
  agent_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface StoredMessage extends ChatMessage {
  id: number;
  created_at: string;
  usage?: Usage | null;
}

interface MessageRow {
  id: string | number;
  role: ChatMessage['role'];
  content: string;
  tool_calls: ChatMessage['tool_calls'] | null;
  usage: Usage | null;
  created_at: Date | string;
}

const iso = (v: Date | string) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());

function toConversation(row: Record<string, unknown>): Conversation {
  return {
    id: String(row.id),
    title: String(row.title),
    model: String(row.model),
    agent_id: (row.agent_id as string | null) ?? null,
    created_at: iso(row.created_at as Date),
    updated_at: iso(row.updated_at as Date),
  };
}

/** Chat history in the conversations and messages tables. */
export class ConversationStore {
  constructor(private readonly db: Db) {}

  async create(input: {
    model: string;
    agentId?: string | null;
    title: string;
    owner?: string;
  }): Promise<Conversation> {
    const { rows } = await this.db.query(
      `INSERT INTO conversations (model, agent_id, title, owner) VALUES ($1, $2, $3, $4) RETURNING *`,
      [input.model, input.agentId ?? null, input.title.slice(0, 200), input.owner ?? null],
    );
    return toConversation(rows[0]!);
  }

  async append(conversationId: string, messages: Array<ChatMessage & { usage?: Usage }>): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const m of messages) {
        await tx.query(
          `INSERT INTO messages (conversation_id, role, content, tool_calls, usage) VALUES ($1, $2, $3, $4, $5)`,
          [
            conversationId,
            m.role,
            m.content,
            m.tool_calls ? JSON.stringify(m.tool_calls) : null,
            m.usage ? JSON.stringify(m.usage) : null,
          ],
        );
      }
      await tx.query('UPDATE conversations SET updated_at = now() WHERE id = $1', [conversationId]);
    });
  }

  /** `owner` set: only that owner's conversation is found (non-admin callers). */
  async get(
    id: string,
    owner?: string,
  ): Promise<{ conversation: Conversation; messages: StoredMessage[] } | undefined> {
    const { rows } = await this.db.query(
      'SELECT * FROM conversations WHERE id = $1 AND ($2::text IS NULL OR owner = $2)',
      [id, owner ?? null],
    );
    if (!rows[0]) return undefined;
    const msgs = await this.db.query<MessageRow>(
      'SELECT id, role, content, tool_calls, usage, created_at FROM messages WHERE conversation_id = $1 ORDER BY id',
      [id],
    );
    return {
      conversation: toConversation(rows[0]),
      messages: msgs.rows.map((m) => ({
        id: Number(m.id),
        role: m.role,
        content: m.content,
        ...(m.tool_calls ? { tool_calls: m.tool_calls } : {}),
        usage: m.usage,
        created_at: iso(m.created_at),
      })),
    };
  }

  /** History as chat messages, to continue a conversation. */
  async history(id: string, owner?: string): Promise<ChatMessage[] | undefined> {
    const found = await this.get(id, owner);
    return found?.messages.map((m) => ({
      role: m.role,
      content: m.content,
      ...(m.tool_calls ? { tool_calls: m.tool_calls } : {}),
    }));
  }

  async list(limit: number, offset: number, owner?: string): Promise<Conversation[]> {
    const { rows } = await this.db.query(
      `SELECT * FROM conversations WHERE ($3::text IS NULL OR owner = $3)
        ORDER BY updated_at DESC, id DESC LIMIT $1 OFFSET $2`,
      [limit, offset, owner ?? null],
    );
    return rows.map(toConversation);
  }
}
