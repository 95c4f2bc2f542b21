// The one logger: pino JSON lines on stdout, with every secret-bearing path redacted.
import { pino, type Logger } from 'pino';

const REDACT_PATHS = [
  'swiftKey', 'swiftAuthToken', 'token', 'secret', 'secretAccessKey', 'applicationCredentialSecret',
  '*.swiftKey', '*.swiftAuthToken', '*.token', '*.secret', '*.secretAccessKey', '*.applicationCredentialSecret',
  'headers["x-auth-key"]', 'headers["x-auth-token"]', 'headers["x-storage-token"]', 'headers.authorization',
  '*.headers["x-auth-key"]', '*.headers["x-auth-token"]', '*.headers.authorization',
];

export type Log = Logger;

export function createLog(level = 'info', destination?: NodeJS.WritableStream): Log {
  return pino(
    {
      name: 'swift-to-s3',
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** Removes every known secret value from a text (error messages can echo request details). */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}
