// Shared start-up for the entry points: parse configuration once, fail fast and clearly.
import { ConfigError, loadConfig, type Config, type LoadOptions } from "../subgraphs/shared/config.ts";
import { createLogger, type Logger } from "../subgraphs/shared/logger.ts";
import { setupTracingFromConfig } from "../subgraphs/shared/tracing/setup.ts";

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

/**
 * Tracing as the OTEL_* variables ask (off unless an OTLP endpoint is set), before anything that
 * makes spans starts; returns what stops it (pending spans exported) after `stop`.
 */
export function withTracing(
  config: Config,
  logger: Logger,
  defaultServiceName: string,
): (stop: () => Promise<void>) => () => Promise<void> {
  const tracing = setupTracingFromConfig(config, defaultServiceName, logger);
  if (tracing) logger.info({ serviceName: config.OTEL_SERVICE_NAME ?? defaultServiceName }, "tracing to OTLP");
  return (stop) => async () => {
    try {
      await stop();
    } finally {
      await tracing?.shutdown();
    }
  };
}

export function exitOnStartFailure(logger: Logger) {
  return (error: unknown) => {
    logger.fatal({ err: error }, "failed to start");
    process.exit(1);
  };
}
