// Identity rules: GB 11643 ID numbers, GB/T 2260 regions, names, nations, cert derivation.
// Pure domain: no I/O, imports nothing outside src/idcard/.
export { checkDigitOf } from './checkdigit.ts';
export { NATIONS } from './nations.ts';
export { lookupRegion, regionName, isProvinceCode, REGION_SOURCES, type Region } from './regions.ts';
