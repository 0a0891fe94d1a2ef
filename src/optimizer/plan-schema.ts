import { z } from 'zod';

/**
 * The optimizer's plan/apply/rollback API shapes (the contract in docs/optimizer.md, "API"):
 * one module so the routes, the CLI and the dashboard's Hardware page share the same types.
 * Imports zod only, so the web build can import it without pulling in server code.
 */
export const PLAN_MODES = ['rightsize', 'step'] as const;
export const PlanModeSchema = z.enum(PLAN_MODES);
export type PlanMode = z.infer<typeof PlanModeSchema>;

export const TargetKindSchema = z.enum(['container', 'mcp', 'ollama']);
export type TargetKind = z.infer<typeof TargetKindSchema>;

export const PlanTargetSchema = z.object({
  kind: TargetKindSchema,
  name: z.string(),
  /** Compose service, when the container's labels name one. */
  service: z.string().optional(),
  /** The compose file (or .mcp.json for MCP servers) the change is written into. */
  composeFile: z.string().optional(),
});
export type PlanTarget = z.infer<typeof PlanTargetSchema>;

export const FitSchema = z.object({ slopePerHour: z.number(), residualStd: z.number() });

export const ChangeEvidenceSchema = z.object({
  /** The window asked for (ms); the history inside it may be shorter (see samples). */
  windowMs: z.number(),
  samples: z.number(),
  peak: z.number().optional(),
  p95: z.number().optional(),
  fit: FitSchema.optional(),
  /** Series the evidence was read from. */
  series: z.array(z.string()),
  /** First to last sample (ms): the history the numbers actually cover (optional addition). */
  historyMs: z.number().optional(),
});
export type ChangeEvidence = z.infer<typeof ChangeEvidenceSchema>;

export const PlanChangeSchema = z.object({
  /** Stable: `<kind>:<name>:<memory|cpus|ENV_NAME>`. */
  id: z.string(),
  target: PlanTargetSchema,
  resource: z.enum(['memory', 'cpus', 'env']),
  /** Bytes for memory, cores for cpus, text for env; null when none is set. */
  current: z.union([z.number(), z.string(), z.null()]),
  proposed: z.union([z.number(), z.string()]),
  unit: z.enum(['bytes', 'cores', 'text']),
  /** One sentence a person understands. */
  reason: z.string(),
  evidence: ChangeEvidenceSchema,
  /** Environment variable name, for resource `env` (optional addition). */
  env: z.string().optional(),
});
export type PlanChange = z.infer<typeof PlanChangeSchema>;

export const OptimizerPlanSchema = z.object({
  generatedAt: z.string(),
  mode: PlanModeSchema,
  changes: z.array(PlanChangeSchema),
  insufficient: z.array(
    z.object({
      target: z.object({ kind: TargetKindSchema, name: z.string() }),
      reason: z.string(),
    }),
  ),
});
export type OptimizerPlan = z.infer<typeof OptimizerPlanSchema>;

export const ApplyRequestSchema = z.strictObject({
  ids: z.array(z.string().min(1).max(300)).min(1).max(100),
  confirm: z.literal(true, { error: 'confirm must be true: applying changes running services' }),
  /** Which plan the ids come from (optional addition; default rightsize). */
  mode: PlanModeSchema.optional(),
  /** Verification window (optional addition; default doctor.verify.windowMs). */
  verifyWindowMs: z.number().int().positive().max(600_000).optional(),
});
export type ApplyRequest = z.infer<typeof ApplyRequestSchema>;

export const ApplyResponseSchema = z.object({
  applied: z.array(z.string()),
  backupId: z.string().nullable(),
  verification: z.object({ ok: z.boolean(), details: z.array(z.string()) }),
  rolledBack: z.boolean(),
});
export type ApplyResponse = z.infer<typeof ApplyResponseSchema>;

/** Backup ids are directory names the doctor made: no path separators, nothing else. */
export const BACKUP_ID = /^[0-9A-Za-z][0-9A-Za-z-]{0,80}$/;

export const RollbackRequestSchema = z.strictObject({
  backupId: z.string().regex(BACKUP_ID, 'a backup id as apply returned it'),
});
export const RollbackResponseSchema = z.object({
  restored: z.array(z.string()),
  failed: z.array(z.string()),
});
export type RollbackResponse = z.infer<typeof RollbackResponseSchema>;

/** GET /api/v1/optimizer/auto: whether auto mode acts, and the latest steps of any apply. */
export const AutoStatusSchema = z.object({
  /** optimizer.auto.enabled (and the sampler on): the loop runs in `sutazai up`. */
  enabled: z.boolean(),
  /** The kill switch (`sutazai optimize auto off`): a paused loop does nothing. */
  paused: z.boolean(),
  intervalMs: z.number(),
  kinds: z.array(z.string()),
  /** The latest recorded step per target, newest first (at most 20). */
  steps: z.array(
    z.object({
      target: z.string(),
      at: z.string(),
      change: z.string(),
      from: z.string().nullable(),
      to: z.string(),
      backupId: z.string().nullable(),
    }),
  ),
});
export type AutoStatus = z.infer<typeof AutoStatusSchema>;

export const AutoSwitchRequestSchema = z.strictObject({ paused: z.boolean() });
