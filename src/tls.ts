// TLS trust for both sides: the system CAs plus a CA file (S3_CA_FILE, SWIFT_CA_FILE), and how a certificate that
// does not verify is told apart from an endpoint that cannot be reached.
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { FatalError, messageOf } from './errors.ts';

/** The system CAs and every CA in the PEM file `path`, for a `ca` option (which would otherwise replace the system
 *  CAs). A file that cannot be read, or holds no certificate, is a FatalError naming `variable`. */
export function trustedCas(variable: string, path: string): string[] {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FatalError(`cannot read ${variable} ${path}: ${messageOf(error)}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new FatalError(`${variable} ${path} holds no PEM certificate ("-----BEGIN CERTIFICATE-----"): give the CA bundle that signed the server's certificate`);
  }
  return [...rootCertificates, pem];
}

/** The code (or message) of a failed TLS verification anywhere in `error`'s causes, or undefined when it is none:
 *  an unknown CA, a self-signed certificate, a name that does not match, an expired certificate. */
export function certificateProblem(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 6; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(code)) return code;
    if (current instanceof Error && /certificate/i.test(current.message)) return current.message;
  }
  return undefined;
}
