// The 二要素 check shared by POST /OcridCard (after the card is read), POST /idcard/verify and
// `shiming verify`: name rules (204), number rules (205), the verification source
// (01 / 02 / 202, failures 203), then the cert block.
import { checkIdNumber, deriveCert, describeIdNumber, isValidChineseName, normaliseName } from '../idcard/index.ts';
import type { CertBlock } from './answers.ts';
import type { Metrics } from './metrics.ts';

/** The verification source's contract (src/verification/index.ts). */
export interface VerificationSource {
  verify(claim: { name: string; idNumber: string }): Promise<'match' | 'mismatch' | 'unknown'>;
}

export type IdentityCode = '01' | '02' | '202' | '203' | '204' | '205';

export interface IdentityOutcome {
  code: IdentityCode;
  cert: CertBlock;
  /** why 205, for the detail view */
  numberProblem?: string;
  /** the number is valid but its county code is not in our region table */
  regionUnknown?: boolean;
  /** why 203, for the log and the detail view */
  sourceError?: string;
}

export interface IdentityDeps {
  verification?: VerificationSource;
  metrics?: Metrics;
  now?: () => Date;
  /** told why a source failed (reason only: never the name or number) */
  onSourceError?: (reason: string) => void;
}

export async function checkIdentity(rawName: string, rawIdNumber: string, deps: IdentityDeps): Promise<IdentityOutcome> {
  const name = normaliseName(rawName);
  const idCard = rawIdNumber.trim().toUpperCase();
  const unverified = (): CertBlock => deriveCert({ idNumber: idCard, name, verdict: 'unknown' });
  if (!isValidChineseName(name)) return { code: '204', cert: unverified() };

  const number = checkIdNumber(idCard, (deps.now ?? (() => new Date()))());
  if (!number.ok) return { code: '205', cert: unverified(), numberProblem: number.reason };
  const regionUnknown = describeIdNumber(number.idNumber)?.region.known === false;
  if (regionUnknown) deps.metrics?.unknownRegion.inc();

  if (!deps.verification) {
    return { code: '202', cert: unverified(), regionUnknown };
  }
  let verdict: 'match' | 'mismatch' | 'unknown';
  try {
    verdict = await deps.verification.verify({ name, idNumber: number.idNumber });
  } catch (err) {
    const e = err as { source?: string; reason?: string; name?: string };
    const reason = e.reason ?? e.name ?? 'error';
    deps.metrics?.verificationErrors.inc({ source: e.source ?? 'unknown', reason });
    deps.onSourceError?.(reason);
    return { code: '203', cert: unverified(), regionUnknown, sourceError: reason };
  }
  const code: IdentityCode = verdict === 'match' ? '01' : verdict === 'mismatch' ? '02' : '202';
  return { code, cert: deriveCert({ idNumber: number.idNumber, name, verdict }), regionUnknown };
}
