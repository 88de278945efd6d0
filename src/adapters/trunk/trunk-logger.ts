/** The logging slice trunk adapters use (the app's winston logger fits it structurally). */
export interface TrunkLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const SILENT_TRUNK_LOGGER: TrunkLogger = { debug() {}, info() {}, warn() {}, error() {} };
