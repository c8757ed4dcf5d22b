// Identity rules: GB 11643 ID numbers, GB/T 2260 regions of every year, names and surnames, the 56 nations,
// the `cert` block. Pure domain: no I/O, imports nothing outside src/idcard/.
export { checkDigitOf } from './checkdigit.ts';
export { NATIONS, nationOf, nationCode, nationShare } from './nations.ts';
export { lookupRegion, regionName, regionTableCodes, isProvinceCode, REGION_SOURCES, type Region } from './regions.ts';
export {
  checkIdNumber,
  upgradeLegacyIdNumber,
  describeIdNumber,
  statedByNumber,
  isRealBirthDate,
  type IdNumberCheck,
  type IdNumberInfo,
  type IdNumberProblem,
  type Sex,
} from './idnumber.ts';
export { isValidChineseName, normaliseName, NAME_SEPARATOR } from './names.ts';
export { surnameShare, knownSurnames } from './surnames.ts';
export {
  deriveCert,
  crossCheck,
  type Cert,
  type CertInput,
  type Verdict,
  type CardReading,
  type CrossCheckMismatch,
} from './cert.ts';
