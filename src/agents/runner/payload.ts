import { z } from 'zod';

/**
 * The `agent.run` payload. The agent is named at the top of the task body (`agent` or `agent_id`)
 * or here; the prompt is `prompt`, `message` or `input`; any other field is passed to the model as
 * task data (see taskPrompt), so the object stays open.
 */
const text = z.string().max(1_000_000);

export const AgentRunPayloadSchema = z.looseObject({
  agent: z.string().min(1).max(200).optional().describe('Agent name (or give agent on the task)'),
  agent_id: z.string().min(1).max(200).optional().describe('Agent id or name'),
  prompt: text.optional().describe('What the agent should do'),
  message: text.optional(),
  input: text.optional(),
});
