export { ConfigSchema, SECRET_PATHS, type Config } from './schema.js';
export { ENV_KEYS, loadConfig, redactConfig, type LoadOptions, type LoadedConfig } from './load.js';
export { assertSafeBind, isLoopback } from './bind.js';
