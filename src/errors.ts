/**
 * The error catalogue: every stable code that crosses an API boundary (HTTP, CLI exit messages,
 * MCP error data). Codes are never reused or renamed; `docs/errors.md` lists them and a unit test
 * checks that each key equals its code. Message templates use `{name}` placeholders.
 *
 * Errors that stay inside a component (supervisor, worker) use typed local errors and are mapped
 * to a catalogue code at the boundary. Anything unknown becomes SUTAZAI_ERR_INTERNAL (500).
 */
export interface ErrorDef {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

function def<const C extends string>(code: C, status: number, message: string) {
  return { code, status, message } as const;
}

export const Errors = {
  // --- general / HTTP -----------------------------------------------------------------------
  SUTAZAI_ERR_INTERNAL: def('SUTAZAI_ERR_INTERNAL', 500, 'Internal error (request id {requestId})'),
  SUTAZAI_ERR_HTTP_VALIDATION: def('SUTAZAI_ERR_HTTP_VALIDATION', 400, 'Request failed validation'),
  SUTAZAI_ERR_HTTP_MALFORMED_JSON: def(
    'SUTAZAI_ERR_HTTP_MALFORMED_JSON',
    400,
    'Request body is not valid JSON',
  ),
  SUTAZAI_ERR_HTTP_BODY_TOO_LARGE: def(
    'SUTAZAI_ERR_HTTP_BODY_TOO_LARGE',
    413,
    'Request body exceeds {limit} bytes',
  ),
  SUTAZAI_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: def(
    'SUTAZAI_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
    415,
    'Unsupported content type; send application/json',
  ),
  SUTAZAI_ERR_HTTP_NOT_FOUND: def('SUTAZAI_ERR_HTTP_NOT_FOUND', 404, 'No route {method} {url}'),
  SUTAZAI_ERR_HTTP_BAD_REQUEST: def('SUTAZAI_ERR_HTTP_BAD_REQUEST', 400, '{reason}'),
  SUTAZAI_ERR_RATE_LIMITED: def(
    'SUTAZAI_ERR_RATE_LIMITED',
    429,
    'Too many requests; retry after {retryAfter} s',
  ),
  SUTAZAI_ERR_OVERLOADED: def(
    'SUTAZAI_ERR_OVERLOADED',
    503,
    '{what} is at capacity; retry after {retryAfter} s',
  ),
  SUTAZAI_ERR_NOT_READY: def('SUTAZAI_ERR_NOT_READY', 503, 'A required dependency is down'),
  SUTAZAI_ERR_SHUTTING_DOWN: def('SUTAZAI_ERR_SHUTTING_DOWN', 503, 'The server is shutting down'),
  SUTAZAI_ERR_HTTP_INVALID_STRING: def(
    'SUTAZAI_ERR_HTTP_INVALID_STRING',
    400,
    '{path} contains a NUL character or an unpaired UTF-16 surrogate; neither is accepted in any string',
  ),
  SUTAZAI_ERR_HTTP_JSON_TOO_DEEP: def(
    'SUTAZAI_ERR_HTTP_JSON_TOO_DEEP',
    400,
    'JSON nested deeper than {limit} levels (at {path})',
  ),
  SUTAZAI_ERR_HTTP_JSON_TOO_MANY_KEYS: def(
    'SUTAZAI_ERR_HTTP_JSON_TOO_MANY_KEYS',
    400,
    'JSON body has more than {limit} object keys',
  ),
  SUTAZAI_ERR_HTTP_HOST_NOT_ALLOWED: def(
    'SUTAZAI_ERR_HTTP_HOST_NOT_ALLOWED',
    421,
    'Host {host} is not a name this server answers to; add it to http.allowedHosts (SUTAZAI_ALLOWED_HOSTS)',
  ),
  SUTAZAI_ERR_HTTP_ORIGIN_NOT_ALLOWED: def(
    'SUTAZAI_ERR_HTTP_ORIGIN_NOT_ALLOWED',
    403,
    'Requests from the web page origin {origin} are not allowed; add its host to http.allowedHosts',
  ),
  SUTAZAI_ERR_HTTP_PORT_IN_USE: def(
    'SUTAZAI_ERR_HTTP_PORT_IN_USE',
    500,
    'Port {port} on {host} is already in use; stop the other process or set SUTAZAI_PORT',
  ),

  // --- config -------------------------------------------------------------------------------
  SUTAZAI_ERR_CONFIG_INVALID: def(
    'SUTAZAI_ERR_CONFIG_INVALID',
    500,
    'Invalid configuration in {source}: {issues}',
  ),
  SUTAZAI_ERR_CONFIG_UNREADABLE: def('SUTAZAI_ERR_CONFIG_UNREADABLE', 500, 'Cannot read {source}: {reason}'),
  SUTAZAI_ERR_CONFIG_INSECURE_BIND: def(
    'SUTAZAI_ERR_CONFIG_INSECURE_BIND',
    500,
    'Refusing to listen on {host} with auth disabled; bind 127.0.0.1 or enable auth',
  ),

  // --- database -----------------------------------------------------------------------------
  SUTAZAI_ERR_DB_UNAVAILABLE: def('SUTAZAI_ERR_DB_UNAVAILABLE', 503, 'Database unavailable: {reason}'),
  SUTAZAI_ERR_DB_MIGRATION_FAILED: def(
    'SUTAZAI_ERR_DB_MIGRATION_FAILED',
    500,
    'Migration {name} failed: {reason}',
  ),
  SUTAZAI_ERR_DB_DATA_DIR_LOCKED: def(
    'SUTAZAI_ERR_DB_DATA_DIR_LOCKED',
    503,
    'The data dir {dataDir} is in use by process {pid} ({command}); stop that process first, or give this one another SUTAZAI_DATA_DIR (embedded PostgreSQL has one owner at a time; use DATABASE_URL for several processes)',
  ),

  // --- auth ---------------------------------------------------------------------------------
  SUTAZAI_ERR_AUTH_REQUIRED: def('SUTAZAI_ERR_AUTH_REQUIRED', 401, 'Authentication required'),
  SUTAZAI_ERR_AUTH_INVALID_CREDENTIALS: def(
    'SUTAZAI_ERR_AUTH_INVALID_CREDENTIALS',
    401,
    'Invalid username or password',
  ),
  SUTAZAI_ERR_AUTH_INVALID_TOKEN: def('SUTAZAI_ERR_AUTH_INVALID_TOKEN', 401, 'Token is invalid or expired'),
  SUTAZAI_ERR_AUTH_FORBIDDEN: def('SUTAZAI_ERR_AUTH_FORBIDDEN', 403, 'This action needs the {role} role'),
  SUTAZAI_ERR_AUTH_KEY_NOT_FOUND: def('SUTAZAI_ERR_AUTH_KEY_NOT_FOUND', 404, 'API key {id} not found'),
  SUTAZAI_ERR_AUTH_USERNAME_TAKEN: def(
    'SUTAZAI_ERR_AUTH_USERNAME_TAKEN',
    409,
    'A user named {username} already exists',
  ),
  SUTAZAI_ERR_AUTH_USER_NOT_FOUND: def('SUTAZAI_ERR_AUTH_USER_NOT_FOUND', 404, 'User {id} not found'),
  SUTAZAI_ERR_AUTH_LAST_ADMIN: def(
    'SUTAZAI_ERR_AUTH_LAST_ADMIN',
    409,
    'User {id} is the last enabled admin; create or enable another admin first',
  ),
  SUTAZAI_ERR_AUTH_SELF: def(
    'SUTAZAI_ERR_AUTH_SELF',
    409,
    'You cannot {action} your own user; ask another admin',
  ),
  SUTAZAI_ERR_AUTH_NOT_A_USER: def(
    'SUTAZAI_ERR_AUTH_NOT_A_USER',
    400,
    'This credential does not belong to a user; log in as the user to change a password',
  ),
  SUTAZAI_ERR_AUTH_CSRF: def(
    'SUTAZAI_ERR_AUTH_CSRF',
    403,
    'A cookie session needs the X-CSRF-Token header equal to the sutazai_csrf cookie',
  ),
  SUTAZAI_ERR_EVENTS_TOO_MANY_STREAMS: def(
    'SUTAZAI_ERR_EVENTS_TOO_MANY_STREAMS',
    429,
    'Too many open event streams ({scope} limit {limit}); close one or retry in {retryAfter} s',
  ),

  // --- agents -------------------------------------------------------------------------------
  SUTAZAI_ERR_AGENT_NOT_FOUND: def('SUTAZAI_ERR_AGENT_NOT_FOUND', 404, 'Agent {id} not found'),
  SUTAZAI_ERR_AGENT_NAME_TAKEN: def(
    'SUTAZAI_ERR_AGENT_NAME_TAKEN',
    409,
    'An agent named {name} already exists',
  ),
  SUTAZAI_ERR_AGENT_FILE_INVALID: def('SUTAZAI_ERR_AGENT_FILE_INVALID', 400, 'Agent file {path}: {reason}'),
  SUTAZAI_ERR_AGENT_FILE_MANAGED: def(
    'SUTAZAI_ERR_AGENT_FILE_MANAGED',
    409,
    'Agent {name} is defined by the file {path}; edit or remove that file instead',
  ),
  SUTAZAI_ERR_AGENT_BAD_CURSOR: def('SUTAZAI_ERR_AGENT_BAD_CURSOR', 400, 'Pagination cursor is malformed'),

  // --- tasks --------------------------------------------------------------------------------
  SUTAZAI_ERR_TASK_NOT_FOUND: def('SUTAZAI_ERR_TASK_NOT_FOUND', 404, 'Task {id} not found'),
  SUTAZAI_ERR_TASK_NOT_CANCELLABLE: def(
    'SUTAZAI_ERR_TASK_NOT_CANCELLABLE',
    409,
    'Task {id} is {status} and can no longer be cancelled',
  ),
  SUTAZAI_ERR_TASK_UNKNOWN_TYPE: def('SUTAZAI_ERR_TASK_UNKNOWN_TYPE', 400, 'No handler for task type {type}'),
  SUTAZAI_ERR_TASK_QUEUE_FULL: def(
    'SUTAZAI_ERR_TASK_QUEUE_FULL',
    503,
    'The task queue holds {depth} pending tasks (limit {limit}); retry after {retryAfter} s',
  ),
  SUTAZAI_ERR_TASK_BAD_CURSOR: def('SUTAZAI_ERR_TASK_BAD_CURSOR', 400, 'Pagination cursor is malformed'),

  // --- llm ----------------------------------------------------------------------------------
  SUTAZAI_ERR_LLM_UNAVAILABLE: def(
    'SUTAZAI_ERR_LLM_UNAVAILABLE',
    503,
    'Model backend {backend} is unavailable',
  ),
  SUTAZAI_ERR_LLM_MODEL_NOT_FOUND: def(
    'SUTAZAI_ERR_LLM_MODEL_NOT_FOUND',
    404,
    'Model {model} is not available on backend {backend}',
  ),
  SUTAZAI_ERR_LLM_TOOLS_UNSUPPORTED: def(
    'SUTAZAI_ERR_LLM_TOOLS_UNSUPPORTED',
    400,
    'Model {model} does not support tools',
  ),
  SUTAZAI_ERR_LLM_BUSY: def(
    'SUTAZAI_ERR_LLM_BUSY',
    503,
    'Model {model} is at capacity ({reason}); retry after {retryAfter} s',
  ),
  SUTAZAI_ERR_LLM_CIRCUIT_OPEN: def(
    'SUTAZAI_ERR_LLM_CIRCUIT_OPEN',
    503,
    'Model backend {backend} is failing; calls are paused, retry after {retryAfter} s',
  ),
  SUTAZAI_ERR_LLM_TIMEOUT: def('SUTAZAI_ERR_LLM_TIMEOUT', 504, 'Model backend {backend} timed out ({phase})'),
  SUTAZAI_ERR_LLM_BACKEND_ERROR: def(
    'SUTAZAI_ERR_LLM_BACKEND_ERROR',
    502,
    'Model backend {backend} failed: {reason}',
  ),
  SUTAZAI_ERR_LLM_CONVERSATION_NOT_FOUND: def(
    'SUTAZAI_ERR_LLM_CONVERSATION_NOT_FOUND',
    404,
    'Conversation {id} not found',
  ),

  // --- mcp ----------------------------------------------------------------------------------
  SUTAZAI_ERR_MCP_SERVER_NOT_FOUND: def(
    'SUTAZAI_ERR_MCP_SERVER_NOT_FOUND',
    404,
    'MCP server {name} is not declared',
  ),
  SUTAZAI_ERR_MCP_SERVER_DISABLED: def(
    'SUTAZAI_ERR_MCP_SERVER_DISABLED',
    409,
    'MCP server {name} is disabled in its configuration',
  ),
  SUTAZAI_ERR_MCP_CRASHLOOP: def(
    'SUTAZAI_ERR_MCP_CRASHLOOP',
    503,
    'MCP server {name} is in crash-loop back-off; retry after {retryAfter} s',
  ),
  SUTAZAI_ERR_MCP_UNAVAILABLE: def(
    'SUTAZAI_ERR_MCP_UNAVAILABLE',
    503,
    'MCP server {name} is unavailable: {reason}',
  ),
  SUTAZAI_ERR_MCP_CALL_TIMEOUT: def(
    'SUTAZAI_ERR_MCP_CALL_TIMEOUT',
    504,
    'MCP call {method} to {name} timed out after {timeoutMs} ms',
  ),
  SUTAZAI_ERR_MCP_TOOL_NOT_FOUND: def(
    'SUTAZAI_ERR_MCP_TOOL_NOT_FOUND',
    404,
    'MCP server {name} has no tool {tool} (or it is denied by configuration)',
  ),
  SUTAZAI_ERR_MCP_METHOD_NOT_ALLOWED: def(
    'SUTAZAI_ERR_MCP_METHOD_NOT_ALLOWED',
    400,
    'Method {method} is not allowed through the passthrough; allowed: {allowed}',
  ),
  SUTAZAI_ERR_MCP_UPSTREAM_ERROR: def(
    'SUTAZAI_ERR_MCP_UPSTREAM_ERROR',
    502,
    'MCP server {name} answered {method} with error {upstreamCode}: {reason}',
  ),

  SUTAZAI_ERR_MCP_GATEWAY_UNAVAILABLE: def(
    'SUTAZAI_ERR_MCP_GATEWAY_UNAVAILABLE',
    503,
    'The MCP gateway at {url} is unavailable: {reason}',
  ),
  SUTAZAI_ERR_MCP_GATEWAY_CREDENTIAL: def(
    'SUTAZAI_ERR_MCP_GATEWAY_CREDENTIAL',
    401,
    'The internal gateway credential is missing or wrong',
  ),

  // --- optimizer ----------------------------------------------------------------------------
  SUTAZAI_ERR_RESOURCES_SERIES_NOT_FOUND: def(
    'SUTAZAI_ERR_RESOURCES_SERIES_NOT_FOUND',
    404,
    'No resource series named {series}',
  ),
  SUTAZAI_ERR_RESOURCES_RANGE_INVALID: def(
    'SUTAZAI_ERR_RESOURCES_RANGE_INVALID',
    400,
    'Invalid history range: {reason}',
  ),
  SUTAZAI_ERR_OPTIMIZER_CHANGE_UNKNOWN: def(
    'SUTAZAI_ERR_OPTIMIZER_CHANGE_UNKNOWN',
    400,
    'No change {id} in the current {mode} plan; read the plan again (it changes as history accrues)',
  ),

  // --- doctor -------------------------------------------------------------------------------
  SUTAZAI_ERR_DOCTOR_SOURCE_FAILED: def(
    'SUTAZAI_ERR_DOCTOR_SOURCE_FAILED',
    502,
    'Doctor source {source} failed: {reason}',
  ),
  SUTAZAI_ERR_DOCTOR_PARTIAL_VIEW: def(
    'SUTAZAI_ERR_DOCTOR_PARTIAL_VIEW',
    503,
    'The doctor saw only part of the deployment ({reasons}); refusing to fix from it',
  ),
  SUTAZAI_ERR_DOCTOR_DOCKER_UNAVAILABLE: def(
    'SUTAZAI_ERR_DOCTOR_DOCKER_UNAVAILABLE',
    503,
    'No Docker engine is configured for the doctor',
  ),
  // --- backup (docs/backup.md) -----------------------------------------------------------------
  SUTAZAI_ERR_BACKUP_NOT_FOUND: def('SUTAZAI_ERR_BACKUP_NOT_FOUND', 404, 'Backup {id} not found'),
  SUTAZAI_ERR_BACKUP_CORRUPT: def(
    'SUTAZAI_ERR_BACKUP_CORRUPT',
    422,
    'Backup {id} failed verification: {reason}',
  ),
  SUTAZAI_ERR_BACKUP_INCOMPATIBLE: def(
    'SUTAZAI_ERR_BACKUP_INCOMPATIBLE',
    422,
    'Backup {id} cannot be restored by this version: {reason}',
  ),
  SUTAZAI_ERR_BACKUP_BUSY: def(
    'SUTAZAI_ERR_BACKUP_BUSY',
    409,
    'Another backup operation is running in this process; try again when it ends',
  ),
  SUTAZAI_ERR_BACKUP_FAILED: def('SUTAZAI_ERR_BACKUP_FAILED', 503, 'Backup failed: {reason}'),
  SUTAZAI_ERR_BACKUP_PLATFORM_RUNNING: def(
    'SUTAZAI_ERR_BACKUP_PLATFORM_RUNNING',
    409,
    'A SutazAI process is running on {target}: stop every process before restoring',
  ),
  SUTAZAI_ERR_DOCTOR_BACKUP_NOT_FOUND: def(
    'SUTAZAI_ERR_DOCTOR_BACKUP_NOT_FOUND',
    404,
    'Doctor backup {backup} not found',
  ),
  SUTAZAI_ERR_DOCTOR_COMPOSE_INVALID: def(
    'SUTAZAI_ERR_DOCTOR_COMPOSE_INVALID',
    400,
    'Compose file {location}: {reason}',
  ),
  SUTAZAI_ERR_DOCTOR_UNKNOWN_RULE: def(
    'SUTAZAI_ERR_DOCTOR_UNKNOWN_RULE',
    400,
    'Unknown doctor rule "{rule}" in {where}; nearest known: {nearest}',
  ),
} as const satisfies Record<string, ErrorDef>;

export type ErrorCode = keyof typeof Errors;

/** Fills `{name}` placeholders; unknown placeholders stay visible rather than vanish. */
export function formatMessage(template: string, vars: Record<string, unknown> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in vars ? String(vars[key]) : whole));
}

/** An error that carries a catalogue code; safe to show to a client. */
export class SutazaiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    vars: Record<string, unknown> = {},
    options: { details?: unknown; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(formatMessage(Errors[code].message, vars), { cause: options.cause });
    this.name = 'SutazaiError';
    this.code = code;
    this.status = Errors[code].status;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }

  toBody(): { error: { code: string; message: string; details?: unknown } } {
    const error: { code: string; message: string; details?: unknown } = {
      code: this.code,
      message: this.message,
    };
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

export function isSutazaiError(err: unknown): err is SutazaiError {
  return err instanceof SutazaiError;
}
