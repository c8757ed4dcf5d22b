// 人像面: fields from rows by their labels (姓名 性别 民族 出生 住址 公民身份号码) and the
// layout around them: values follow their label on its row, the address continues on the
// rows below 住址 down to the number's row, aligned with the value column.
import type { FrontFields, ReadField } from './types.ts';
import { movedBox, type CardBox } from './card.ts';
import type { Decoded } from './ocr/ctc.ts';
import { charU, decodeSpans, findLabel, gapAwareDecode, inkCharacters, minProb, readPlace, spansBetween, spansFrom, type Charset, type Reread, type Row, type Span, type TextLine } from './lines.ts';
import { NATIONS, nationShare } from '../idcard/index.ts';
import { allowedSets, chooseFromList, chooseIdNumber, emptyField, parseBirthday, validId } from './fields.ts';
import { chainsOfCode, regionStart } from './address-regions.ts';
import { correctTown } from './address-towns.ts';
import { correctUnits } from './address-units.ts';
import { preferSurname } from './surname.ts';
import lookAlikeTable from './nation-look-alikes.json' with { type: 'json' };

const SEXES = ['男', '女'];
/** an address with a character chosen by what stands around it (a town of the list, a unit
 *  after a number) is never more sure than this */
const CHOSEN_BY_CONTEXT = 0.85;
/** punctuation that no name or address starts with (a colon after the label, a speck, the
 *  edge of the photo read as a bracket or a bar: 名[ 周嘉晴, 0046 of seed 79) */
const STRAY_START = /^[：:;；,，、.。·[\]【】()（）「」『』〔〕<>《》|｜丨]+/u;
/** punctuation that no name ends with */
const STRAY_END = /[：:;；,，、[\]【】()（）「」『』〔〕<>《》|｜丨]+$/u;

/**
 * A quarter of the log of each nation's population share: enough to settle a blurred 汉 that
 * the model finds as like 水 (91 % against 0.04 % of cards), far too little to overrule a
 * clear read of a small nation (at most 3.2 nats, where a clear read differs by 10 or more).
 */
const nationPrior = (nation: string) => 0.25 * Math.log(Math.max(1e-7, nationShare(nation)));

/** what the model reads for a nation's name drawn small and soft (tools/build-stand-ins/nations.ts) */
const NATION_LOOK_ALIKES = (lookAlikeTable as { lookAlikes: Record<string, string[]> }).lookAlikes;

export const FRONT_LABELS = ['姓名', '性别', '民族', '出生', '住址', '公民身份号码'] as const;

/** the second characters of the two-character labels */
const LABEL_SECONDS = new Set(FRONT_LABELS.filter((l) => l.length === 2).map((l) => l[1]!));

interface Located {
  row: number;
  /** index in row.chars of the label's last character */
  end: number;
}

export function locateFrontLabels(rows: Row[]): Partial<Record<(typeof FRONT_LABELS)[number], Located>> {
  const found: Partial<Record<(typeof FRONT_LABELS)[number], Located>> = {};
  // first the labels read whole (or with one character misread); then, for the rest, one
  // character of a two-character label at a row's start (名 alone, 住 alone) — but not in a
  // row that another label already starts: 性 生别男 must not give 出生
  const startedBy = new Set<number>();
  for (const loose of [false, true]) {
    rows.forEach((row, r) => {
      if (loose && startedBy.has(r)) return;
      for (const label of FRONT_LABELS) {
        if (found[label]) continue;
        const end = findLabel(row, label, label === '民族' ? Infinity : 2, loose);
        if (end < 0) continue;
        // a label's second character alone, followed by another label's second: that other
        // label with its first misread (生址 is 住址 with 住 read as 生, not 出生 cut to its 生;
        // 0108 of seed 11)
        const next = row.chars[end + 1]?.char ?? '';
        if (loose && row.chars[end]!.char === label[1] && LABEL_SECONDS.has(next) && next !== label[1]) continue;
        // a label taken from one character must keep the card's order of rows (姓名 above
        // 性别 above 出生 …): 生名 on the name row is 姓名 misread, not 出生
        if (loose && label !== '民族' && !inColumnOrder(found, label, r)) continue;
        found[label] = { row: r, end };
        if (!loose && label !== '民族') startedBy.add(r);
      }
    });
  }
  // 民族 misread (民旅, 氏族) still stands after the sex on the sex row
  const sex = found['性别'];
  if (!found['民族'] && sex) {
    const row = rows[sex.row]!;
    for (let i = sex.end + 2; i + 1 < row.chars.length; i++) {
      const a = row.chars[i]!.char, b = row.chars[i + 1]!.char;
      if ((a === '民') !== (b === '族')) {
        // 民 read and 族 not: the character after 民 is the label's only where 族 is printed;
        // further on it is the value's first (亿 of 仡佬 taken for 族 left 佬 to be read as 仫佬)
        const unread = a === '民' && advancesApart(row, i, i + 1) > ZU_OR_VALUE;
        found['民族'] = { row: sex.row, end: unread ? i : i + 1 };
        break;
      }
    }
  }
  return found;
}

/**
 * 民 of the label 民族 stands at 30 mm from the card's left edge, 族 at 35 mm, the nation's
 * first character at 40.6 mm: in advances of the 3.2 mm value characters (the card's pitch),
 * 族 is 1.6 after 民 and the value 3.3. Past the midway point a character is the value's.
 */
const ZU_OR_VALUE = 7.8 / 3.2;
/** the centre of 民, and the advance of the value characters (the card's pitch), in mm */
const MIN_MM = 30, VALUE_PITCH_MM = 3.2;
/**
 * What a nation shorter by one character than its ink's extent loses, in nats: as much as a
 * character read at 1 %. A clear read of the right nation outscores the others by 10 or
 * more, so only reads the model is unsure of are settled by their extent.
 */
const LENGTH_MISMATCH = -Math.log(0.01);

/** Where the nation's value starts on a row where 民 (index `min`) was read and 族 was not. */
function afterMin(row: Row, min: number): number | undefined {
  const c = row.chars[min]!, l = row.lines[c.line]!;
  if (!l.pitch) return undefined;
  return charU(l, c) + ((NATION_VALUE_MM - MIN_MM) / VALUE_PITCH_MM) * l.pitch * (l.box.w / Math.max(1, l.probs.steps));
}

/** How many of the card's character advances separate two characters of a row (NaN when the
 *  row has no measured pitch). */
function advancesApart(row: Row, i: number, j: number): number {
  const a = row.chars[i]!, b = row.chars[j]!;
  const la = row.lines[a.line], lb = row.lines[b.line];
  if (!la?.pitch || !lb) return NaN;
  const perStep = la.box.w / Math.max(1, la.probs.steps);
  return (charU(lb, b) - charU(la, a)) / (la.pitch * perStep);
}

/** the labels of the left column, top to bottom, each on its own row */
const COLUMN = ['姓名', '性别', '出生', '住址', '公民身份号码'] as const;

/** Whether `label` on row `r` stands below the column's labels above it and above those below. */
function inColumnOrder(found: Partial<Record<(typeof FRONT_LABELS)[number], Located>>, label: (typeof FRONT_LABELS)[number], r: number): boolean {
  const k = COLUMN.indexOf(label as (typeof COLUMN)[number]);
  return COLUMN.every((other, j) => {
    const at = found[other];
    if (!at || j === k) return true;
    return j < k ? at.row < r : at.row > r;
  });
}

/** The row holding the number: the 公民身份号码 row, else the row with the longest digit run. */
function numberRow(rows: Row[], labelRow: number | undefined): number {
  const run = (row: Row) => Math.max(0, ...(row.text.match(/[0-9X]+/g) ?? []).map((s) => s.length));
  if (labelRow !== undefined) {
    // a number tilted away from its label (a card seen in perspective) may form a row of its
    // own just above or below it; it is never an address line
    if (run(rows[labelRow]!) >= 15) return labelRow;
    const beside = [labelRow - 1, labelRow + 1].find((r) => r >= 0 && r < rows.length && run(rows[r]!) >= 15);
    return beside ?? labelRow;
  }
  let best = -1, bestLen = 0;
  rows.forEach((row, r) => {
    const len = run(row);
    if (len > bestLen) { bestLen = len; best = r; }
  });
  return bestLen >= 12 ? best : -1;
}

export function digitRun(rows: Row[]): number {
  return Math.max(0, ...rows.flatMap((row) => (row.text.match(/[0-9Xx]+/g) ?? []).map((s) => s.length)));
}

/**
 * Whether a row holds a citizen number whose check digit holds (GB 11643 MOD 11-2) and whose
 * birth date is a date: about one chance in 400 for 18 random digits, so with it the read is a
 * card's front even when none of its labels could be read (a blurred, low-resolution photo where
 * only the large OCR-B digits survive). A run of up to two digits more (a speck read as 0 beside
 * the number) is tried at each offset; a longer run is some other number.
 */
export function checkedNumberRead(rows: Row[]): boolean {
  // born from 1900 on, as citizen numbers are (validId allows the parsers' wider 1850-2200)
  const checked = (n: string) => validId(n.toUpperCase()) && +n.slice(6, 10) >= 1900;
  const holdsNumber = (text: string) => (text.replace(/\s+/g, '').match(/(?<![0-9])[0-9]{17,19}[0-9Xx](?![0-9Xx])/g) ?? []).some((run) => {
    for (let at = 0; at + 18 <= run.length; at++) if (checked(run.slice(at, at + 18))) return true;
    return false;
  });
  // a box of its own too: digits read in a neighbouring box run into the number's on the row
  // (CR999 of a blurred photo beside it, 0198 of seed 79)
  return rows.some((row) => holdsNumber(row.text) || (row.lines.length > 1 && row.lines.some((l) => holdsNumber(l.text.text))));
}

function clean(text: string): string {
  return text.replace(/\s+/g, '');
}

function freeField(spans: Span[], cs: Charset): ReadField {
  return fieldOf(decodeSpans(spans, cs));
}

/**
 * 一 as the model often names it, a dash, where it stands after a Chinese character and before
 * another or at the end: no name holds a dash, and an address writes one between numbers only
 * (梁依— for 梁依一, 五-巷 for 五一巷).
 */
const DASH_FOR_YI = /(?<=\p{Script=Han})[-‐‑–—―－](?=\p{Script=Han}|$)/gu;

/** the marks the model reads for the dot of a minority name (阿孜古丽·努尔), and a quote
 *  between two characters, which no name or address holds (伊力‘艾力, 0029 of seed 71) */
const DOT_LOOK_ALIKES = /[•・.。．]|(?<=\p{Script=Han})[‘’'`´′](?=\p{Script=Han})/gu;

/** `text` with what the model reads for a name's dot written as the dot ·. */
function withNameDots(text: string): string {
  return text.replace(DOT_LOOK_ALIKES, '·');
}

/** A free-text field from its decode: spaces dropped, dot look-alikes as the name dot ·, a
 *  dash between characters as 一. */
function fieldOf(d: Decoded): ReadField {
  const value = withNameDots(clean(d.text)).replace(DASH_FOR_YI, '一');
  if (!value) return emptyField();
  return { value, confidence: minProb(d) };
}

/** The field without punctuation at its start (and, for a name, its end). */
function withoutStray(field: ReadField, end: boolean): ReadField {
  let value = field.value.replace(STRAY_START, '');
  if (end) value = value.replace(STRAY_END, '');
  if (value === field.value) return field;
  return value ? { ...field, value } : emptyField();
}

/**
 * A read the model gives only for one crop of the line is a guess (typically a character
 * outside its dictionary replaced by a look-alike): such a field keeps its value but loses
 * its confidence.
 */
async function confirm(field: ReadField, spans: Span[], cs: Charset, reread: Reread, mustContain = field.value): Promise<ReadField> {
  if (!field.value || !mustContain || !spans.length) return field;
  // only the spans are read again, with a character's margin on the outer sides: the label
  // before a name costs columns and tells nothing (the test below is containment, so what the
  // margins add at the ends does not matter)
  const parts = spans.map((sp, i) => spanPart(sp, i === 0, i === spans.length - 1));
  const again = await reread(parts);
  const altSpans = again.map((line) => ({ line, from: 0, to: line.probs.steps }));
  const alt = decodeSpans(altSpans, cs);
  // the characters and the text compared are the same sequence: any white space (a full-width
  // one too) left out of both, positions counted in characters
  const seen = alt.chars.filter((c) => !/^\s*$/u.test(c.char));
  const altText = withNameDots(seen.map((c) => c.char).join(''));
  const at = altText.indexOf(mustContain);
  if (at >= 0) {
    // the second look's own probabilities for the same characters count too
    const from = [...altText.slice(0, at)].length;
    const own = seen.slice(from, from + [...mustContain].length);
    return { value: field.value, confidence: Math.min(field.confidence, ...own.map((c) => c.prob)) };
  }
  return { value: field.value, confidence: Math.min(field.confidence, 0.3) };
}

/** The extent of `spans` along their row as one line, read again. */
async function readAsOneLine(spans: Span[], reread: Reread): Promise<Span | undefined> {
  const pieces = spans.map((sp, i) => spanPart(sp, false, i === spans.length - 1));
  const left = Math.min(...pieces.map((p) => p.box.u - p.box.w / 2));
  const right = Math.max(...pieces.map((p) => p.box.u + p.box.w / 2));
  // the tallest piece sets the crop's height and angle; the row's centre its place
  const ref = pieces.reduce((a, p) => (p.box.h > a.box.h ? p : a));
  const v = pieces.reduce((sum, p) => sum + p.box.v, 0) / pieces.length;
  const again = await readPlace(ref, left, right, v - ref.box.v, reread);
  return again ? { line: again, from: 0, to: again.probs.steps } : undefined;
}

/**
 * The piece of a span's line that holds the span (plus one character before it when `lead`,
 * after it when `tail`), as a line of its own for the second look. Steps map to the box's
 * width in proportion: the recogniser gives one step per 8 columns of a crop the box's width.
 */
function spanPart(sp: Span, lead: boolean, tail: boolean): TextLine {
  const { line } = sp;
  const steps = Math.max(1, line.probs.steps);
  const margin = line.pitch ?? steps / 12;
  const from = Math.max(0, lead ? sp.from - margin : sp.from);
  const to = Math.min(steps, tail ? sp.to + margin : sp.to);
  if (from <= 0 && to >= steps) return line;
  const b = line.box;
  const f0 = from / steps, f1 = to / steps;
  const piece: TextLine = {
    // centred where the piece's middle lies along the box's own x axis
    box: movedBox(b, ((f0 + f1) / 2 - 0.5) * b.w, 0, (f1 - f0) * b.w),
    probs: { ...line.probs, steps: Math.max(1, Math.round(to - from)) },
    text: line.text,
  };
  if (line.pitch) piece.pitch = line.pitch;
  return piece;
}

export async function parseFront(rows: Row[], cs: Charset, reread?: Reread): Promise<FrontFields> {
  const allowed = allowedSets(cs);
  const at = locateFrontLabels(rows);
  const fields: FrontFields = {
    name: emptyField(),
    sex: emptyField(),
    nation: emptyField(),
    birthday: emptyField(),
    address: emptyField(),
    idCard: emptyField(),
  };
  const idRow = numberRow(rows, at['公民身份号码']?.row);
  let { sexRow, birthRow } = valueRows(at, idRow, rows.length);
  // no label of the column read at all: the date printed in words marks the birthday's row
  const byDate = birthRow === undefined && sexRow === undefined && !at['姓名'] ? rowsByDate(rows, idRow) : {};
  // no label above the number read: the rows stand where the card prints them above it
  let placed = sexRow === undefined && !at['姓名'] && idRow >= 0 ? rowsAboveNumber(rows, idRow, numberSpans(rows, at, idRow, cs, allowed.idNumber), cs, allowed.idNumber) : undefined;
  // what the rows hold outweighs where the number's width puts them (perspective stretches it)
  // (女 民旗汉 between the name and the date: the row above the date is the sex's, 0015 of seed 79)
  if (placed && byDate.birth !== undefined && (placed.birth !== byDate.birth || (byDate.sex !== undefined && placed.sex !== byDate.sex))) placed = undefined;
  if (placed) {
    sexRow = placed.sex;
    birthRow ??= placed.birth;
  }
  // two of the column's labels read give the rows' pitch, which places the other rows
  const byPitch = rowsByPitch(rows, at);
  sexRow ??= byPitch.sex;
  birthRow ??= byPitch.birth;
  sexRow ??= byDate.sex;
  birthRow ??= byDate.birth;
  // 姓名 unreadable: the name is on the row above the one its labels place as the sex row
  /** where the values of the name and birthday rows start along the rows: the value column */
  const valueLefts: number[] = [];
  const nameRow = at['姓名']?.row ?? ((at['性别'] || at['民族']) && sexRow !== undefined && sexRow >= 1 ? sexRow - 1 : placed?.name ?? byPitch.name ?? byDate.name);
  if (nameRow !== undefined) {
    const row = rows[nameRow]!;
    let spans = spansBetween(row, at['姓名'] ? labelEndInColumn(rows, at, '姓名') : labelColumnEnd(rows, at, row));
    fields.name = withoutStray(freeField(spans, cs), true);
    // 姓名 read but nothing after it: the detector missed the value (glare, blur), so its place
    // is read; never more sure than a value the detector found
    if (!fields.name.value && at['姓名'] && reread) {
      const place = await missedValue(rows, nameRow, at['姓名'].end, cs, reread);
      if (place) {
        spans = [place];
        const name = withoutStray(freeField(spans, cs), true);
        fields.name = { ...name, confidence: Math.min(name.confidence, 0.89) };
      }
    }
    // a name the detector cut in two where its parts stand apart: the gap may hold the · of a
    // minority name (阿孜古丽·努尔), a mark too small to box; read the name as one line
    const parts = spans.map((sp) => ({ sp, read: freeField([sp], cs) })).filter((p) => p.read.value);
    if (reread && parts.length === 2 && fields.name.value) {
      const whole = await readAsOneLine(parts.map((p) => p.sp), reread);
      const dotted = whole && withoutStray(freeField([whole], cs), true);
      const [a, b] = parts.map((p) => withoutStray(p.read, true).value);
      if (dotted && dotted.value === `${a}·${b}`) {
        fields.name = { value: `${a}·${b}`, confidence: Math.min(fields.name.confidence, dotted.confidence) };
        spans = [whole];
      }
    }
    if (reread) fields.name = await confirm(fields.name, spans, cs, reread);
    // the label's 名 (or 姓名) read as the name's start, its 姓 unread or the label's box merged
    // with the value's: no surname is 名, so it is the label's (名孙子玥, 0181 of seed 7); and a
    // name holds no Latin letter or digit (8郑龙: a speck read as 8, 0214 of seed 23)
    const labelRest = /^(?:[0-9A-Za-z]+|姓?名)(?=..)/u.exec(fields.name.value);
    if (labelRest) fields.name = { ...fields.name, value: fields.name.value.slice(labelRest[0].length) };
    fields.name = preferSurname(fields.name, spans, cs);
    if (fields.name.value && spans.length) valueLefts.push(spanLeft(spans[0]!));
    if (!at['姓名'] && fields.name.value) fields.name = { ...fields.name, confidence: Math.min(fields.name.confidence, 0.89) };
  }
  let birthRead: Decoded | undefined;
  if (birthRow !== undefined) {
    const row = rows[birthRow]!;
    const after = at['出生']?.row === birthRow ? at['出生'].end : labelColumnEnd(rows, at, row);
    const spans = spansBetween(row, after);
    if (spans.length) valueLefts.push(spanLeft(spans[0]!));
    birthRead = decodeSpans(spans, cs, allowed.date, 0.05);
    // the detector cut the date into pieces and missed one (a lone 1 between 年 and 月): the
    // whole extent of the value, read as one line
    if (!parseBirthday(birthRead.text) && reread && spans.length > 1) {
      const whole = await readAsOneLine(spans, reread);
      if (whole) birthRead = decodeSpans([whole], cs, allowed.date, 0.05);
    }
    const value = parseBirthday(birthRead.text);
    if (value) fields.birthday = { value, confidence: minProb(birthRead) };
  }
  let layout: Layout | undefined;
  if (idRow >= 0) {
    const spans = numberSpans(rows, at, idRow, cs, allowed.idNumber);
    fields.idCard = chooseIdNumber(decodeSpans(spans, cs, allowed.idNumber, 0.05), fields.birthday.value);
    if (birthRead) fields.birthday = agreeBirthday(fields.birthday, birthRead, fields.idCard);
    // the number's extent places the other fields: read surely, or with its check digit holding
    // however unsure its last character (X at 0.64, 0181 of seed 7)
    if (trustedNumber(fields.idCard) || validId(fields.idCard.value)) layout = layoutFromNumber(spans, cs, allowed.idNumber);
  }
  if (sexRow !== undefined) {
    const row = rows[sexRow]!;
    const nationAt = at['民族']?.row === sexRow ? at['民族'] : undefined;
    // 民族 unreadable: the nation stands where the card's layout puts it, which the number's
    // printed extent (the same on every card) locates along the rows
    const nationFrom = nationAt ? nationAt.end : layout ? lastBefore(row, layout.u(NATION_VALUE_MM)) : undefined;
    // the label's first character: 民 itself where 族 went unread
    const sexBefore = nationAt ? (row.chars[nationAt.end]!.char === '民' ? nationAt.end : nationAt.end - 1) : layout ? lastBefore(row, layout.u(NATION_LABEL_MM)) + 1 : row.chars.length;
    // 性别 unreadable: the sex stands in the value column, before 民族
    const sexAfter = at['性别']?.row === sexRow ? at['性别'].end : labelColumnEnd(rows, at, row);
    if (at['性别']?.row === sexRow || nationAt || sexAfter >= 0 || layout) {
      fields.sex = chooseFromList(spansBetween(row, sexAfter, sexBefore), cs, SEXES);
    }
    // nothing read where the card prints the sex (the detector missed its box): its place,
    // located by the number's extent, read once; only 男 or 女 as the model reads it there
    if (!fields.sex.value && layout && reread) {
      const perMm = layout.u(1) - layout.u(0);
      const left = valueColumnStart(valueLefts, perMm, layout)!;
      const place = await readPlaceOf(row, left, left + (SEX_VALUE_MM[1] - SEX_VALUE_MM[0]) * perMm, reread);
      const again = place && chooseFromList([place], cs, SEXES);
      if (again?.value && place!.line.text.text.includes(again.value)) fields.sex = { ...again, confidence: Math.min(again.confidence, 0.89) };
    }
    if (nationFrom !== undefined) {
      let spans = spansBetween(row, nationFrom);
      // placed by the layout, or after a 民 whose 族 went unread: the value starts where the
      // card prints it, not at the character before (the label's ink is not the value's)
      const valueU = !nationAt ? layout!.u(NATION_VALUE_MM) : row.chars[nationAt.end]!.char === '民' ? afterMin(row, nationAt.end) : undefined;
      if (valueU !== undefined) spans = spansFrom(spans, valueU);
      // at least as many characters as the value's ink spreads over: a blurred 锡伯 is not 白.
      // Never fewer: a faint character may stay below the ink mark (亿 of 仡佬 at 0.1, 0629)
      const count = inkCharacters(spans, cs);
      const prior = (v: string) => nationPrior(v) - (count ? LENGTH_MISMATCH * Math.max(0, count - [...v].length) : 0);
      fields.nation = chooseFromList(spans, cs, NATIONS, prior, NATION_LOOK_ALIKES);
      // found by position, not by its label: never more sure than the read of its characters
      if (!nationAt && fields.nation.value) fields.nation = { ...fields.nation, confidence: Math.min(fields.nation.confidence, 0.89) };
      // nothing read where the nation stands (the detector missed its box, or boxed it off the
      // row): its place on the row is read, never more sure than a value the detector found
      if (!fields.nation.value && reread) {
        const place = await missedNation(row, valueU ?? (nationAt ? nationValueU(row, nationAt.end) : undefined), layout, reread);
        if (place) {
          // the list's choice only where the model reads it there itself: a place read of
          // blurred ink would otherwise give the likeliest nation of a poor fit (畲 read 富 → 苗)
          const again = chooseFromList([place], cs, NATIONS, nationPrior, NATION_LOOK_ALIKES);
          const read = place.line.text.text;
          if (again.value && [...again.value].every((ch) => !cs.classOf.has(ch) || read.includes(ch))) fields.nation = { ...again, confidence: Math.min(again.confidence, 0.89) };
        }
      }
    }
  }
  fields.sex = agreeSex(fields.sex, fields.idCard);
  // no name row at all (neither 姓名 nor the name boxed: the card's top line on a slanted scan,
  // 0109 of seed 83) while the sex's row and the rows' pitch are known: the name's place, a row
  // above the sex's value, read once
  if (nameRow === undefined && sexRow !== undefined && reread) {
    const name = await missedName(rows, sexRow, birthRow, valueLefts, layout, cs, reread);
    if (name) fields.name = preferSurname(name.field, [name.span], cs);
  }
  // 住址 unreadable: the address starts on the row after the birthday read, down to the number
  const addressRow = at['住址']?.row ?? (fields.birthday.value && birthRow !== undefined && idRow > birthRow + 1 ? birthRow + 1 : undefined);
  if (addressRow !== undefined) {
    const first = addressRow;
    const numberTop = Math.min(idRow, at['公民身份号码']?.row ?? idRow);
    const last = numberTop > first ? numberTop : rows.length;
    const row = rows[first]!;
    const spans = spansBetween(row, at['住址'] ? labelEndInColumn(rows, at, '住址') : labelColumnEnd(rows, at, row));
    const valueU = spans.length ? spans[0]!.line.box.u - spans[0]!.line.box.w / 2 : -Infinity;
    for (let r = first + 1; r < last; r++) {
      const next = rows[r]!;
      for (const line of next.lines) {
        const left = line.box.u - line.box.w / 2;
        // up to where the next box of the row reads the same characters again (its `cut`)
        if (left >= valueU - 1.5 * next.h) spans.push({ line, from: 0, to: line.cut ?? line.probs.steps });
      }
    }
    let missedLine = false;
    if (reread) {
      const lineAfter = await missedAddressLine(rows, first, last, birthRow, cs, reread);
      if (lineAfter) { spans.push(lineAfter); missedLine = true; }
    }
    const read = decodeSpans(spans, cs);
    fields.address = withoutStray(fieldOf(read), false);
    const chars = read.chars.filter((c) => c.char !== ' ');
    while (chars.length && STRAY_START.test(chars[0]!.char)) chars.shift();
    // a number whose check digit holds names its region, however unsure its last character
    const numberRegion = trustedNumber(fields.idCard) || validId(fields.idCard.value) ? chainsOfCode(fields.idCard.value.slice(0, 6)) : [];
    const start = regionStart(chars, (ch) => cs.classOf.has(ch), numberRegion);
    if (start.lead) {
      chars.splice(0, start.lead);
      fields.address = withoutStray(fieldOf({ ...read, chars, text: chars.map((c) => c.char).join('') }), false);
    }
    const fix = start.fix;
    if (fix) {
      // the region list vouches for the start; the rest keeps the model's own confidence
      const rest = chars.slice(fix.readLength).map((c) => c.prob);
      // a confident character overruled leaves the start doubtful, however well the rest reads
      const vouched = fix.overruled ? 0.6 : 0.9 - 0.1 * fix.edits;
      fields.address = { value: fix.value, confidence: Math.min(vouched, ...rest) };
    }
    // after the region, character for character: the town from the list of towns where the
    // read name is none, and a unit after a number where the read is no unit
    const town = start.end > 0 ? correctTown(chars, start.end, cs) : undefined;
    const units = correctUnits(chars, cs);
    if (town || units.changed) {
      const text = units.chars;
      if (town) text.splice(town.at, [...town.town].length, ...town.town);
      const value = (fix ? fix.chain : '') + clean(text.slice(fix ? fix.readLength : 0).join(''));
      fields.address = { value, confidence: Math.min(fields.address.confidence, CHOSEN_BY_CONTEXT) };
    }
    fields.address = { ...fields.address, value: fields.address.value.replace(DASH_FOR_YI, '一') };
    // a second look costs as much as the first: only where the first had a doubt
    const doubtful = chars.slice(fix?.readLength ?? 0).some((c) => c.prob < 0.98);
    if (reread && doubtful) fields.address = await confirm(fields.address, spans, cs, reread, fix ? fix.value.slice(fix.chain.length) : fields.address.value);
    // a line read where the layout says one is, not where the detector found one; an
    // address placed by the rows around it, not by its label
    if (missedLine || !at['住址']) fields.address = { ...fields.address, confidence: Math.min(fields.address.confidence, 0.89) };
  }
  return fields;
}

/** The spans of the number on its row: after its label, the longest piece when stray marks
 *  around it make more than 18 characters. */
function numberSpans(rows: Row[], at: ReturnType<typeof locateFrontLabels>, idRow: number, cs: Charset, allowed: readonly number[]): Span[] {
  const labelEnd = at['公民身份号码']?.row === idRow ? at['公民身份号码'].end : -1;
  const spans = spansBetween(rows[idRow]!, labelEnd);
  if (decodeSpans(spans, cs, allowed, 0.05).chars.length > 18) return [spans.reduce((a, b) => (b.to - b.from > a.to - a.from ? b : a))];
  return spans;
}

/**
 * How far above the number's row (46.3 mm from the card's top) the card prints the name's row
 * (9.4 mm), the sex's (16.1) and the birthday's (22.7), in mm between row centres; rows are
 * 6.6 mm apart, so a row within half that of its place is the one.
 */
const ABOVE_NUMBER_MM = { name: 36.9, sex: 30.2, birth: 23.6 } as const;
const ROW_TOLERANCE_MM = 3.3;

/**
 * The name, sex and birthday rows placed by their distance above a number read whole and
 * trusted (its printed width gives the card's scale), for a card where none of their labels
 * was read.
 */
function rowsAboveNumber(rows: Row[], idRow: number, spans: Span[], cs: Charset, allowed: readonly number[]): { name?: number; sex?: number; birth?: number } | undefined {
  if (!trustedNumber(chooseIdNumber(decodeSpans(spans, cs, allowed, 0.05), ''))) return undefined;
  const layout = layoutFromNumber(spans, cs, allowed);
  if (!layout) return undefined;
  const perMm = layout.u(1) - layout.u(0);
  const v0 = rows[idRow]!.v;
  const near = (mm: number) => {
    let best: number | undefined, bestD = ROW_TOLERANCE_MM * perMm;
    for (let r = 0; r < idRow; r++) {
      const d = Math.abs(rows[r]!.v - (v0 - mm * perMm));
      if (d < bestD) { bestD = d; best = r; }
    }
    return best;
  };
  const sex = near(ABOVE_NUMBER_MM.sex);
  if (sex === undefined) return undefined;
  // each its own row, in the card's order
  const name = near(ABOVE_NUMBER_MM.name), birth = near(ABOVE_NUMBER_MM.birth);
  return { sex, name: name !== undefined && name < sex ? name : undefined, birth: birth !== undefined && birth > sex ? birth : undefined };
}

/**
 * The row index of a left-column label's last character. 住址's second character misread (址
 * as 片) leaves the match at 住; a character standing in the label column, where the other
 * labels end (名 别 生 址), still belongs to the label, not to the value.
 */
function labelEndInColumn(rows: Row[], at: ReturnType<typeof locateFrontLabels>, which: '姓名' | '住址'): number {
  const label = at[which]!;
  const row = rows[label.row]!;
  // the label's last character read where it ends: what follows is the value, wherever the
  // other rows' labels end (a card seen in perspective shifts them: 陶 of 姓名陶海鑫 was cut)
  if (row.chars[label.end]?.char === which[which.length - 1]) return label.end;
  return labelColumnEnd(rows, at, row, label.end, which);
}

/**
 * The index of the last character of `row` standing in the label column (where the labels
 * 姓名 性别 出生 住址 other than `except` end), from `start` on; `start` when none, or -1 when the
 * column is unknown.
 */
function labelColumnEnd(rows: Row[], at: ReturnType<typeof locateFrontLabels>, row: Row, start = -1, except?: string): number {
  const ends: number[] = [];
  for (const name of ['姓名', '性别', '出生', '住址'] as const) {
    if (name === except) continue;
    const l = at[name];
    if (!l) continue;
    const r = rows[l.row]!;
    const c = r.chars[l.end]!;
    ends.push(charU(r.lines[c.line]!, c));
  }
  if (ends.length < (except ? 1 : 2)) return start;
  ends.sort((a, b) => a - b);
  const labelEndU = ends[ends.length >> 1]!;
  let end = start;
  for (let i = start + 1; i < row.chars.length; i++) {
    const c = row.chars[i]!;
    if (c.char === ' ') continue;
    if (charU(row.lines[c.line]!, c) > labelEndU + 0.4 * row.h) break;
    end = i;
  }
  return end;
}

/** The rows of 姓名, 性别 and 出生: consecutive, evenly spaced (住址's first line follows). */
const PITCHED_ROWS = ['姓名', '性别', '出生', '住址'] as const;

/**
 * The name, sex and birthday rows placed by the pitch of the column's rows, from the two
 * labels read farthest apart: the row nearest each place, within a third of the pitch.
 */
function rowsByPitch(rows: Row[], at: ReturnType<typeof locateFrontLabels>): { name?: number; sex?: number; birth?: number } {
  const known = PITCHED_ROWS.map((label, k) => ({ k, row: (label === '性别' ? at['性别'] ?? at['民族'] : at[label])?.row })).filter(
    (x): x is { k: number; row: number } => x.row !== undefined,
  );
  if (known.length < 2) return {};
  const a = known[0]!, b = known[known.length - 1]!;
  const pitch = (rows[b.row]!.v - rows[a.row]!.v) / (b.k - a.k);
  if (!(pitch > 0.8 * rows[a.row]!.h)) return {};
  const taken = new Set(known.map((x) => x.row));
  const place = (k: number): number | undefined => {
    const want = rows[a.row]!.v + (k - a.k) * pitch;
    let best: number | undefined, bestD = pitch / 3;
    rows.forEach((row, r) => {
      const d = Math.abs(row.v - want);
      if (!taken.has(r) && d < bestD) { bestD = d; best = r; }
    });
    return best;
  };
  return { name: place(0), sex: place(1), birth: place(2) };
}

/**
 * The birthday's row found by what it holds (a date with 年 or 月, above the number), and the
 * sex and name rows above it where they stand at the rows' pitch (within a third of it).
 */
function rowsByDate(rows: Row[], idRow: number): { name?: number; sex?: number; birth?: number } {
  const end = idRow >= 0 ? idRow : rows.length;
  const birth = rows.findIndex((r, i) => i < end && /[年月]/.test(r.text) && parseBirthday(r.text) !== '');
  if (birth < 1) return { birth: birth >= 0 ? birth : undefined };
  const v = (r: number) => rows[r]!.v;
  const pitch = v(birth) - v(birth - 1);
  const below = birth + 1 < end ? v(birth + 1) - v(birth) : pitch;
  if (!(pitch > 0.8 * rows[birth]!.h) || Math.abs(below - pitch) > pitch / 3) return { birth };
  const name = birth >= 2 && Math.abs(v(birth - 1) - v(birth - 2) - pitch) < pitch / 3 ? birth - 2 : undefined;
  return { birth, sex: birth - 1, name };
}

/**
 * A value whose label was read but which the detector missed: the place after the label, up
 * to where the column's longest line ends, read as one line; what starts at the value column
 * and runs without a gap is the value.
 */
async function missedValue(rows: Row[], r: number, labelEnd: number, cs: Charset, reread: Reread): Promise<Span | undefined> {
  const row = rows[r]!;
  const c = row.chars[labelEnd];
  if (!c) return undefined;
  const label = row.lines[c.line]!;
  const left = charU(label, c) + 0.5 * row.h;
  const right = Math.max(...rows.flatMap((x) => x.lines.map((l) => l.box.u + l.box.w / 2)).filter((u) => u > left));
  if (!(right - left > row.h)) return undefined;
  return textAtPlace(label, left, right, 0, cs, reread);
}

/**
 * The text at a place where the detector found none: a box from `left` to `right` along the
 * rows, `dv` across them from `ref`'s line, read once. A read counts only when it is clearly
 * text from the place's start, without a gap; marks further on are not it. `label`: characters
 * of a label the place may start on, skipped (read surely) before the text.
 */
async function textAtPlace(ref: TextLine, left: number, right: number, dv: number, cs: Charset, reread: Reread, label?: string): Promise<Span | undefined> {
  const again = await readPlace(ref, left, right, dv, reread);
  if (!again) return undefined;
  // with the characters the model saw but did not name: a mark further on is one too
  // (not the faint guesses that fill blank paper between them)
  let all = gapAwareDecode({ line: again, from: 0, to: again.probs.steps }, cs).chars.filter((c) => c.char !== ' ' && c.prob >= 0.1);
  const pitch = again.pitch ?? again.probs.steps / 12;
  // the place's start on the label's last characters: the text is what follows them
  let from = 0;
  if (label) {
    let k = 0;
    while (k < all.length && label.includes(all[k]!.char) && all[k]!.prob >= 0.5) k++;
    // the label and nothing after it: no text (姓名 is no name)
    if (k === all.length) return undefined;
    if (k > 0) {
      from = (all[k - 1]!.t1 + all[k]!.t0 + 1) >> 1;
      all = all.slice(k);
    }
  }
  if (!all.length || all[0]!.t0 - from > 2 * pitch + 3) return undefined;
  let n = 1;
  while (n < all.length && all[n]!.t0 - all[n - 1]!.t1 <= 2 * pitch) n++;
  const chars = all.slice(0, n);
  if (chars.some((c) => c.prob < 0.5) || chars.reduce((a, c) => a + c.prob, 0) / n < 0.7) return undefined;
  // up to the next mark, or a character's advance past the last (faint guesses fill the rest)
  const to = n < all.length ? (chars[n - 1]!.t1 + all[n]!.t0 + 1) >> 1 : Math.min(again.probs.steps, chars[n - 1]!.t1 + 1 + Math.ceil(pitch));
  return { line: again, from, to };
}

/**
 * The rows of the sex and the birthday where their labels are unreadable: the card prints
 * 姓名, 性别, 出生 and 住址 on consecutive rows, so a row between two located ones holds the
 * value the layout puts there.
 */
function valueRows(at: ReturnType<typeof locateFrontLabels>, idRow: number, rowCount: number): { sexRow?: number; birthRow?: number } {
  const name = at['姓名']?.row, address = at['住址']?.row;
  let sexRow = at['性别']?.row ?? at['民族']?.row;
  let birthRow = at['出生']?.row;
  if (sexRow === undefined && name !== undefined) {
    if ((birthRow !== undefined && birthRow - name === 2) || (birthRow === undefined && address !== undefined && address - name === 3)) sexRow = name + 1;
  }
  if (birthRow === undefined && sexRow !== undefined) {
    const below = address ?? (idRow >= 0 ? idRow : undefined);
    if (address !== undefined ? address - sexRow === 2 : (below ?? rowCount) - sexRow >= 2) birthRow = sexRow + 1;
  }
  return { sexRow, birthRow };
}

/** Where the nation's value starts on the card, and its label, in mm from the card's left edge. */
const NATION_VALUE_MM = 37.7, NATION_LABEL_MM = 28;

/** Where the nation's value starts after a read 族 (its centre 35 mm from the card's left). */
function nationValueU(row: Row, zu: number): number | undefined {
  const c = row.chars[zu]!, l = row.lines[c.line]!;
  if (!l.pitch) return undefined;
  return charU(l, c) + ((NATION_VALUE_MM - ZU_MM) / VALUE_PITCH_MM) * l.pitch * (l.box.w / Math.max(1, l.probs.steps));
}

/** the centre of 族, and the widest nation's extent (柯尔克孜: four characters) plus a margin, in mm */
const ZU_MM = 35, NATION_WIDTH_MM = 14.5;

/**
 * The nation's place on the sex row read once, from where the value starts (after the label
 * read, else where the number's extent puts it) over the widest nation's extent; a read that
 * shows no character there is nothing.
 */
async function missedNation(row: Row, from: number | undefined, layout: Layout | undefined, reread: Reread): Promise<Span | undefined> {
  const left = from ?? layout?.u(NATION_VALUE_MM);
  if (left === undefined) return undefined;
  const withPitch = row.lines.find((l) => l.pitch);
  const perMm = layout ? layout.u(1) - layout.u(0) : withPitch ? (withPitch.pitch! * withPitch.box.w) / Math.max(1, withPitch.probs.steps) / VALUE_PITCH_MM : undefined;
  if (!perMm || !(perMm > 0)) return undefined;
  const ref = tallestLine(row);
  const again = await readPlace(ref, left - 0.5 * perMm, left + NATION_WIDTH_MM * perMm, row.v - ref.box.v, reread);
  if (!again) return undefined;
  const seen = again.text.chars.some((c) => /\p{Script=Han}/u.test(c.char) && !'民族'.includes(c.char) && c.prob >= 0.1);
  return seen ? { line: again, from: 0, to: again.probs.steps } : undefined;
}

/** the name's row above the sex's, and how far the name's place reaches from its value column, in mm */
const NAME_ABOVE_SEX_MM = ABOVE_NUMBER_MM.name - ABOVE_NUMBER_MM.sex, NAME_PLACE_MM = 32;

/**
 * The name read at its place where the detector boxed nothing of its row: a row pitch (from
 * the birthday's row, else from the number's extent) above the sex's row, from the value
 * column. Taken only as a name, two characters or more, and never more sure than 0.89.
 */
async function missedName(rows: Row[], sexRow: number, birthRow: number | undefined, valueLefts: number[], layout: Layout | undefined, cs: Charset, reread: Reread): Promise<{ field: ReadField; span: Span } | undefined> {
  const row = rows[sexRow]!;
  const perMm = layout ? layout.u(1) - layout.u(0) : undefined;
  const pitch = birthRow !== undefined && birthRow > sexRow ? (rows[birthRow]!.v - row.v) / (birthRow - sexRow) : perMm ? NAME_ABOVE_SEX_MM * perMm : undefined;
  if (!(pitch && pitch > 0)) return undefined;
  const mm = perMm ?? pitch / NAME_ABOVE_SEX_MM;
  const left = valueColumnStart(valueLefts, mm, layout);
  if (left === undefined) return undefined;
  const ref = tallestLine(row);
  const span = await textAtPlace(ref, left, left + NAME_PLACE_MM * mm, row.v - pitch - ref.box.v, cs, reread, '姓名');
  if (!span) return undefined;
  const name = withoutStray(freeField([span], cs), true);
  if (!/^\p{Script=Han}{2,}(?:·\p{Script=Han}+)*$/u.test(name.value)) return undefined;
  return { field: { ...name, confidence: Math.min(name.confidence, 0.89) }, span };
}

/** where the sex's one character stands, with a character's margin on each side, in mm */
const SEX_VALUE_MM = [14.5, 22.5] as const;

/** how far before the value column a value's place starts, in mm */
const SEX_MARGIN_MM = 2;

/**
 * Where a value's place starts along the rows, a margin before the value column: the column of
 * the rows read around it (a card in perspective shifts the rows above the number), else where
 * the number's extent puts it; undefined with neither. `perMm`: the rows' units per mm.
 */
function valueColumnStart(valueLefts: number[], perMm: number, layout: Layout | undefined): number | undefined {
  if (valueLefts.length) return valueLefts.reduce((a, b) => a + b, 0) / valueLefts.length - SEX_MARGIN_MM * perMm;
  return layout?.u(SEX_VALUE_MM[0]);
}

/** The row's tallest line: the reference a place on the row is read from. */
function tallestLine(row: Row): TextLine {
  return row.lines.reduce((a, l) => (l.box.h > a.box.h ? l : a));
}

/** The left end of a span along the rows. */
function spanLeft(sp: Span): number {
  const b = sp.line.box;
  return b.u - b.w / 2 + (sp.from * b.w) / Math.max(1, sp.line.probs.steps);
}

/** The row's place from `left` to `right` along the rows read once. */
async function readPlaceOf(row: Row, left: number, right: number, reread: Reread): Promise<Span | undefined> {
  const ref = tallestLine(row);
  const again = await readPlace(ref, left, right, row.v - ref.box.v, reread);
  return again ? { line: again, from: 0, to: again.probs.steps } : undefined;
}

/** The index of the row's last character standing before `u`, or -1. */
function lastBefore(row: Row, u: number): number {
  return row.chars.reduce((last, c, i) => (c.char !== ' ' && charU(row.lines[c.line]!, c) < u ? i : last), -1);
}

/** The centres of the number's first and last characters, in mm (they span 29.8–78.3 mm). */
const NUMBER_FIRST_MM = 30.8, NUMBER_LAST_MM = 76.6;

interface Layout {
  /** position along the rows (card frame u) of a point `mm` from the card's left edge */
  u(mm: number): number;
}

/** The card's horizontal scale from the number read whole: its 18 characters span a fixed width. */
function layoutFromNumber(spans: Span[], cs: Charset, allowed: readonly number[]): Layout | undefined {
  const us = spans.flatMap((sp) => decodeSpans([sp], cs, allowed, 0.05).chars.map((c) => charU(sp.line, c)));
  if (us.length !== 18) return undefined;
  const u0 = us[0]!, u1 = us[17]!;
  if (!(u1 > u0)) return undefined;
  const perMm = (u1 - u0) / (NUMBER_LAST_MM - NUMBER_FIRST_MM);
  return { u: (mm) => u0 + (mm - NUMBER_FIRST_MM) * perMm };
}

/**
 * The address's last line the detector missed (a lone 号 wrapped onto a third line is often
 * not found): when the last line found is full to the column's right end and the card has
 * room for another line above the number, the place of that line is read. A read counts only
 * when it is clearly text starting at the value column.
 */
async function missedAddressLine(rows: Row[], first: number, last: number, birthRow: number | undefined, cs: Charset, reread: Reread): Promise<Span | undefined> {
  const count = last - first;
  if (count < 1 || count >= 3) return undefined;
  const top = rows[first]!, bottom = rows[last - 1]!;
  const right = (l: TextLine) => l.box.u + l.box.w / 2;
  const end = bottom.lines[bottom.lines.length - 1]!;
  const columnEnd = right(top.lines[top.lines.length - 1]!);
  if (right(end) < columnEnd - bottom.h) return undefined;
  // the address's line spacing: 4.6 mm, where the rows above it are 6.6 mm apart
  const spacing = count >= 2 ? bottom.v - rows[last - 2]!.v : birthRow !== undefined && birthRow < first ? ((top.v - rows[birthRow]!.v) / (first - birthRow)) * (4.6 / 6.6) : undefined;
  if (!spacing || !(spacing > 0.5 * bottom.h)) return undefined;
  const below = rows[last];
  if (below && below.v - bottom.v < 1.8 * spacing) return undefined;
  // the column starts where the lines after the first do, or where the first's value does
  const left = count >= 2 ? bottom.lines[0]!.box.u - bottom.lines[0]!.box.w / 2 : end.box.u - end.box.w / 2;
  return textAtPlace(end, left, columnEnd, spacing, cs, reread);
}

/** A number that passed its check digit and was read with confidence vouches for its parts. */
function trustedNumber(id: ReadField): boolean {
  return /^\d{17}[\dX]$/.test(id.value) && id.confidence >= 0.8;
}

/**
 * When the printed birthday disagrees with a trusted number, take the number's date only if
 * the birthday's own read offered each differing digit as a runner-up, or holds one doubtful
 * digit more and is the number's date without it (the month's last 1 read again at the start
 * of the day's box: 11月15日 for 11月5日), or one digit fewer and is the number's date with one
 * left out.
 */
function agreeBirthday(birthday: ReadField, read: Decoded, id: ReadField): ReadField {
  if (!trustedNumber(id)) return birthday;
  const fromId = id.value.slice(6, 14);
  if (birthday.value === fromId) return birthday;
  const printed = `${fromId.slice(0, 4)}${Number(fromId.slice(4, 6))}${Number(fromId.slice(6, 8))}`;
  const digits = read.chars.filter((c) => /\d/.test(c.char));
  // a read that is no date at all agrees only by holding the date's digits less one
  if (birthday.value && digits.length === printed.length + 1) {
    const extra = digits.findIndex((c, k) => c.prob < 0.9 && digits.filter((_, j) => j !== k).map((d) => d.char).join('') === printed);
    if (extra < 0) return birthday;
    const rest = digits.filter((_, j) => j !== extra).map((d) => d.prob);
    return { value: fromId, confidence: Math.min(0.8, ...rest) };
  }
  // one digit fewer, the rest the number's date in order: a digit the blur swallowed
  // (197年8月23日 for 1978年8月23日, 0214 of seed 23)
  if (digits.length === printed.length - 1 && digits.length >= 5) {
    const read = digits.map((d) => d.char).join('');
    const dropped = [...printed].some((_, k) => printed.slice(0, k) + printed.slice(k + 1) === read);
    if (!dropped) return birthday;
    return { value: fromId, confidence: Math.min(0.8, ...digits.map((d) => d.prob)) };
  }
  if (!birthday.value || digits.length !== printed.length) return birthday;
  let confidence = 1;
  for (let i = 0; i < digits.length; i++) {
    const c = digits[i]!;
    if (c.char === printed[i]) { confidence = Math.min(confidence, c.prob); continue; }
    const alt = c.alternatives?.find((a) => a.char === printed[i] && a.prob >= 0.01);
    if (!alt) return birthday;
    confidence = Math.min(confidence, 0.8);
  }
  return { value: fromId, confidence };
}

/** The sex the number encodes (odd 17th digit: 男) settles a doubtful 男/女 read. */
function agreeSex(sex: ReadField, id: ReadField): ReadField {
  if (!trustedNumber(id) || !sex.value) return sex;
  const fromId = Number(id.value[16]) % 2 === 1 ? '男' : '女';
  if (sex.value === fromId || sex.confidence >= 0.9) return sex;
  return { value: fromId, confidence: Math.max(0.5, 1 - sex.confidence) };
}
