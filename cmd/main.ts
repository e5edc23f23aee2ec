// Shared start-up for the entry points: parse configuration once, fail fast and clearly.
import { ConfigError, loadConfig, type Config, type LoadOptions } from "../subgraphs/shared/config.ts";
import { createLogger, type Logger } from "../subgraphs/shared/logger.ts";

export function boot(name: string, options: LoadOptions): { config: Config; logger: Logger } {
  try {
    const config = loadConfig(process.env, options);
    const logger = createLogger(config.LOG_LEVEL, name);
    for (const warning of config.warnings) logger.warn(warning);
    return { config, logger };
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

export function exitOnStartFailure(logger: Logger) {
  return (error: unknown) => {
    logger.fatal({ err: error }, "failed to start");
    process.exit(1);
  };
}
