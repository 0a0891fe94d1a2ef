import type { Db } from '../db/index.js';
import { SutazaiError } from '../errors.js';
import type { ConversationStore } from './conversations.js';
import type { ChatMessage, ChatRequest, Usage } from './types.js';

/**
 * What a chat route turns a request body into: the model, the messages to send (agent system
 * prompt + stored history + new input), and where to persist the turn.
 */
export interface ChatInput {
  message?: string | undefined;
  messages?: ChatMessage[] | undefined;
  model?: string | undefined;
  agent_id?: string | undefined;
  conversation_id?: string | undefined;
  options?: Record<string, unknown> | undefined;
}

export interface PreparedChat {
  request: ChatRequest;
  conversationId: string;
  /** The new messages of this turn (persisted with the answer). */
  input: ChatMessage[];
}

interface AgentRow {
  id: string;
  model: string | null;
  system_prompt: string;
}

export async function loadAgent(db: Db, id: string): Promise<AgentRow> {
  const { rows } = await db.query<AgentRow>('SELECT id, model, system_prompt FROM agents WHERE id = $1', [
    id,
  ]);
  if (!rows[0]) throw new SutazaiError('SUTAZAI_ERR_AGENT_NOT_FOUND', { id });
  return rows[0];
}

export function inputMessages(body: Pick<ChatInput, 'message' | 'messages'>): ChatMessage[] {
  if (body.messages?.length) return body.messages;
  if (body.message) return [{ role: 'user', content: body.message }];
  throw new SutazaiError('SUTAZAI_ERR_HTTP_BAD_REQUEST', { reason: 'send message or messages' });
}

export async function prepareChat(
  db: Db,
  store: ConversationStore,
  body: ChatInput,
  defaultModel: string,
  owner?: string,
  scope?: string,
): Promise<PreparedChat> {
  const input = inputMessages(body);
  const agent = body.agent_id ? await loadAgent(db, body.agent_id) : undefined;
  const model = body.model ?? agent?.model ?? defaultModel;
  let history: ChatMessage[] = [];
  let conversationId = body.conversation_id;
  if (conversationId) {
    // Owners see their own conversations; admins (owner undefined) see all.
    const found = await store.history(conversationId, scope);
    if (!found) throw new SutazaiError('SUTAZAI_ERR_LLM_CONVERSATION_NOT_FOUND', { id: conversationId });
    history = found;
  } else {
    const title = input.find((m) => m.role === 'user')?.content ?? '';
    const created = await store.create({
      model,
      agentId: agent?.id ?? null,
      title,
      ...(owner ? { owner } : {}),
    });
    conversationId = created.id;
  }
  const system: ChatMessage[] =
    agent?.system_prompt && !history.some((m) => m.role === 'system')
      ? [{ role: 'system', content: agent.system_prompt }]
      : [];
  const request: ChatRequest = {
    model,
    messages: [...system, ...history, ...input],
    ...(body.options ? { options: body.options } : {}),
  };
  return { request, conversationId, input: [...system, ...input] };
}

export async function persistTurn(
  store: ConversationStore,
  prepared: PreparedChat,
  answer: ChatMessage,
  usage: Usage,
): Promise<void> {
  await store.append(prepared.conversationId, [...prepared.input, { ...answer, usage }]);
}
