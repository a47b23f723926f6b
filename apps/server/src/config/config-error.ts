/**
 * The error that stops start-up on a bad configuration value. Its own file so
 * that the config parser and the readers it calls (peer auth) share it without
 * an import cycle.
 */

/** A configuration value is invalid; the message names the key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly key: string;
  constructor(key: string, message: string) {
    super(`invalid configuration: ${key}: ${message}`);
    this.key = key;
  }
}
