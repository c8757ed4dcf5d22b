// The API's `cert` block (认证识别结果) and the card-versus-number cross-checks of the detail view.
import { describeIdNumber, statedByNumber, type Sex } from './idnumber.ts';
import { normaliseName } from './names.ts';

/** The seed's `cert` object, field for field; every value a string. */
export interface Cert {
  idCard: string;
  name: string;
  sex: string;
  area: string;
  province: string;
  city: string;
  prefecture: string;
  /** YYYY-MM-DD */
  birthday: string;
  addrCode: string;
  lastCode: string;
}

export type Verdict = 'match' | 'mismatch' | 'unknown' | (string & {});

export interface CertInput {
  idNumber: string;
  name: string;
  verdict: Verdict;
}

/**
 * The `cert` block of an answer. Only a passed check ('match', code 01) states what the number
 * says; for every other result the values other than idCard and name are "" (the seed: 实名认证
 * 不通过时以下都为空). idCard is the number as checked (upper-case X), name the normalised name.
 */
export function deriveCert({ idNumber, name, verdict }: CertInput): Cert {
  const raw = typeof idNumber === 'string' ? idNumber.trim() : '';
  const info = describeIdNumber(raw);
  const cert: Cert = {
    idCard: info ? info.idNumber : raw,
    name: normaliseName(name),
    sex: '',
    area: '',
    province: '',
    city: '',
    prefecture: '',
    birthday: '',
    addrCode: '',
    lastCode: '',
  };
  if (verdict !== 'match' || !info) return cert;
  return {
    ...cert,
    sex: info.sex,
    area: info.region.area,
    province: info.region.province,
    city: info.region.city,
    prefecture: info.region.prefecture,
    birthday: info.birthday,
    addrCode: info.addrCode,
    lastCode: info.lastCode,
  };
}

export interface CardReading {
  /** the birth date printed on the card, YYYYMMDD (other separators and spaces are ignored) */
  birthday?: string;
  /** the sex printed on the card, 男 or 女 */
  sex?: string;
  idNumber: string;
}

export interface CrossCheckMismatch {
  field: 'birthday' | 'sex';
  /** what the card shows */
  card: string;
  /** what the number states */
  number: string;
}

/**
 * Where the card's printed birthday or sex disagrees with what its number states (the seed warns
 * that region, sex and birthday on a card may be edited). Fields the card does not show, or a
 * number whose digits cannot be read, give no mismatch.
 */
export function crossCheck({ birthday, sex, idNumber }: CardReading): CrossCheckMismatch[] {
  const stated = statedByNumber(idNumber);
  if (!stated) return [];
  const out: CrossCheckMismatch[] = [];
  const cardBirthday = typeof birthday === 'string' ? birthday.replace(/[^0-9]/g, '') : '';
  if (cardBirthday && cardBirthday !== stated.birthday) {
    out.push({ field: 'birthday', card: cardBirthday, number: stated.birthday });
  }
  const cardSex = typeof sex === 'string' ? sex.trim() : '';
  if (cardSex && cardSex !== (stated.sex satisfies Sex)) {
    out.push({ field: 'sex', card: cardSex, number: stated.sex });
  }
  return out;
}
