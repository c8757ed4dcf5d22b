// The recognition pipeline, top to bottom: find text, find the card's direction, recognise the
// card's lines, group them into rows (of one card, when the image holds more), decide the side,
// read the fields.
import type { OcrModels } from './ocr/engine.ts';
import { closestLook, closestScale, locateTextAt, medianHeight, type TextBox } from './ocr/detect.ts';
import { cropLine, recognizeLines } from './ocr/recognize.ts';
import { greedyDecode, type LineProbs } from './ocr/ctc.ts';
import { findCardFrame, quadFromFrame, quarterTurn, type CardBox, type CardFrame } from './card.ts';
import { cardPitch, type Row, type TextLine } from './lines.ts';
import { oneCard } from './several-cards.ts';
import { beside, groupsApart } from './text-groups.ts';
import { checkedNumberRead, digitRun, locateFrontLabels, parseFront } from './front.ts';
import { backMarkers, parseBack } from './back.ts';
import { resizeRgb, turnRgb, type RgbImage, type TurnedImage } from './pixels.ts';
import type { CardSide, FrontFields, Quad, RecognitionResult } from './types.ts';
import { validId } from './fields.ts';
import { refineCardQuad } from './card-edges.ts';
import { doubtStandIns } from './stand-ins.ts';

/** lines are recognised from a copy where text is at most this high, to avoid aliasing */
const MAX_LINE_HEIGHT = 72;
/** a card shows about a dozen text boxes; past this many, check it could be one first */
const MANY_BOXES = 24;

export async function readCard(models: OcrModels, img: RgbImage): Promise<RecognitionResult> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (stage: string) => {
    const now = performance.now();
    // added up: a stage that runs twice (the closer look below) counts both times
    timings[stage] = Math.round(((timings[stage] ?? 0) + now - t) * 10) / 10;
    t = now;
  };

  const located = await locateTextAt(models, img);
  lap('detect');
  const first = await readFrom(models, img, dropSpecks(located.boxes), lap);
  // A front read poorly at a steep slant (the detector finds such text in pieces, or lines
  // merged across rows): the image turned by 45° may read better; the better read is kept.
  if (first.result.side === 'front' && first.angle !== undefined && offAxisDegrees(first.angle) >= DIAGONAL && poorFront(first.result.front!)) {
    const third = await turnedRead(models, img, lap);
    const better = third?.side === 'front' && frontScore(third.front!) > frontScore(first.result.front!) + 1;
    return { ...(better ? third! : first.result), timings };
  }
  // A card small in a large photo can come out of the quick look as a few blobs, each several
  // lines merged, tall enough to pass for readable text: what is read of them is fragments, no
  // side. When those fragments hold something of a card (a run of digits, a label), look once
  // more at the whole image as closely as locateText ever does.
  if (first.result.side !== 'none' || !first.cardLike) return { ...first.result, timings };
  if (closestScale(img) >= 1.3 * located.scale) {
    const closer = dropSpecks((await closestLook(models, img)).boxes);
    lap('detect');
    const again = await readFrom(models, img, closer, lap);
    if (again.result.side !== 'none') return { ...again.result, timings };
  }
  // A card turned by about 50–60° can come out of the detector as fragments, a character or two
  // each, and nothing is decided though labels or digits were read. Turned by 45°, its text lies
  // near an axis, where the detector finds whole lines.
  const third = await turnedRead(models, img, lap);
  return { ...(third ?? first.result), timings };
}

/** The card read from the image turned by TURN_DEGREES, in the original image's terms;
 *  undefined when that decides no side either. */
async function turnedRead(models: OcrModels, img: RgbImage, lap: (stage: string) => void): Promise<RecognitionResult | undefined> {
  const turned = await turnRgb(img, TURN_DEGREES);
  const text = await locateTextAt(models, turned.img);
  lap('detect');
  const read = await readFrom(models, turned.img, dropSpecks(text.boxes), lap);
  return read.result.side === 'none' ? undefined : unturned(read.result, read.angle, turned);
}

/** a card's text this far (degrees) from the image's axes is read again turned */
const DIAGONAL = 15;

/** How far a reading direction (radians) lies from the nearest of the image's axes, in degrees. */
function offAxisDegrees(direction: number): number {
  const quarter = Math.PI / 2;
  return (Math.abs(direction - Math.round(direction / quarter) * quarter) * 180) / Math.PI;
}

const FRONT_FIELD_NAMES = ['name', 'sex', 'nation', 'birthday', 'address', 'idCard'] as const;

/** Two fields or more not read, or a number whose check digit fails. */
function poorFront(front: FrontFields): boolean {
  return FRONT_FIELD_NAMES.filter((f) => !front[f].value).length >= 2 || !validId(front.idCard.value);
}

/** How much of a front was read: each field read counts one and its confidence, a number that
 *  passes its check two more. */
function frontScore(front: FrontFields): number {
  return FRONT_FIELD_NAMES.reduce((sum, f) => sum + (front[f].value ? 1 + front[f].confidence : 0), 0) + (validId(front.idCard.value) ? 2 : 0);
}

/** a front's labels as one box reads them whole */
const WHOLE_LABEL = /公民身份号码|姓\s*名|性\s*别|民\s*族|出\s*生|住\s*址/u;

/** the turn of the last look at a card nothing was decided of */
const TURN_DEGREES = 45;

/** A result read from the image turned by TURN_DEGREES, in the original image's terms. */
function unturned(result: RecognitionResult, angle: number | undefined, turned: TurnedImage): RecognitionResult {
  const back = (q: Quad): Quad => q.map((p) => turned.toOriginal(p)) as unknown as Quad;
  const out: RecognitionResult = { ...result };
  if (result.quad) out.quad = back(result.quad);
  if (result.quadFromText) out.quadFromText = back(result.quadFromText);
  // the text's direction in the original image is its direction in the turned one, less the turn
  if (angle !== undefined) out.rotation = quarterTurn(angle - (TURN_DEGREES * Math.PI) / 180);
  return out;
}

/** The card read from the text boxes found in `img`; `cardLike` when nothing was decided but
 *  what was read holds a run of digits or a card's label. */
async function readFrom(
  models: OcrModels,
  img: RgbImage,
  boxes: TextBox[],
  lap: (stage: string) => void,
): Promise<{ result: RecognitionResult; cardLike: boolean; angle?: number }> {
  const timings = {};
  if (boxes.length === 0) return { result: { side: 'none', timings }, cardLike: false };

  const work = await workingImage(img, boxes);
  const frame = await findCardFrame(models, work.img, work.boxes, (dirs) => readBothWays(models, work.img, work.boxes, dirs));
  lap('orient');

  // a page full of text is not a card, and a card on a page is not the page: look at the start
  // of each row before reading it all
  const { boxes: toRead, cardWords } = frame.boxes.length > MANY_BOXES ? await cardText(models, work.img, frame.boxes) : { boxes: frame.boxes, cardWords: 0 };
  if (toRead.length === 0) {
    lap('recognise');
    // one card word among many boxes: fragments of a card, perhaps, read no further here
    return { result: { side: 'none', timings }, cardLike: cardWords > 0 };
  }
  const lines = await readLines(models, work.img, toRead);
  lap('recognise');

  // a photocopy of both sides holds two cards, a card may lie beside other text: read one card
  const { rows, side, lines: cardLines } = oneCard(lines, decideSide);
  // the second look at lines, or at places the detector found none, for the field parsers
  const reread = (ls: TextLine[]) => rereadLines(models, work.img, ls);
  const result: RecognitionResult = { side, timings, rotation: frame.rotation };
  if (side === 'front') {
    const front = await parseFront(rows, models, reread);
    result.front = { ...front, name: doubtStandIns(front.name) };
  }
  if (side === 'back') result.back = await parseBack(rows, models, reread);
  if (side !== 'none') {
    const { estimate, refined } = cardQuad(img, frame, cardLines.map((l) => l.box), 1 / work.scale);
    result.quad = refined ?? estimate;
    result.quadFromText = estimate;
  }
  lap('parse');
  // a label read whole in one box counts even where the rows came out scrambled (fragments of
  // text turned 50–60° grouped into rows across the card's lines)
  const cardLike = side === 'none' && (digitRun(rows) >= 10 || Object.keys(locateFrontLabels(rows)).length > 0 || backMarkers(rows) > 0 || lines.some((l) => WHOLE_LABEL.test(l.text.text)));
  return { result, cardLike, angle: frame.angle };
}

async function workingImage(img: RgbImage, boxes: TextBox[]): Promise<{ img: RgbImage; boxes: TextBox[]; scale: number }> {
  const h = medianHeight(boxes);
  if (h <= MAX_LINE_HEIGHT) return { img, boxes, scale: 1 };
  const scale = MAX_LINE_HEIGHT / h;
  const small = await resizeRgb(img, Math.max(1, Math.round(img.width * scale)), Math.max(1, Math.round(img.height * scale)));
  const sx = small.width / img.width, sy = small.height / img.height;
  return { img: small, boxes: boxes.map((b) => ({ ...b, cx: b.cx * sx, cy: b.cy * sy, w: b.w * scale, h: b.h * scale })), scale };
}

/** Recognise the two longest lines read each way; the summed confidence of each direction. */
async function readBothWays(models: OcrModels, img: RgbImage, boxes: TextBox[], dirs: [number, number]): Promise<[number, number]> {
  const longest = [...boxes].sort((a, b) => b.w - a.w).slice(0, 2);
  const scores: number[] = [];
  for (const dir of dirs) {
    const crops = longest.map((b) => {
      const flip = Math.abs(Math.atan2(Math.sin(b.angle - dir), Math.cos(b.angle - dir))) > Math.PI / 2;
      return cropLine(img, { ...b, angle: flip ? b.angle + Math.PI : b.angle });
    });
    const probs = await recognizeLines(models, crops);
    scores.push(probs.reduce((s, p) => s + greedyDecode(p, models.charset).confidence, 0));
  }
  return [scores[0]!, scores[1]!];
}

async function readLines(models: OcrModels, img: RgbImage, boxes: CardBox[]): Promise<TextLine[]> {
  const probs = await recognizeLines(models, boxes.map((b) => cropLine(img, b)));
  const lines: TextLine[] = boxes.map((box, i) => ({ box, probs: probs[i]!, text: greedyDecode(probs[i]!, models.charset) }));
  const pitch = cardPitch(lines);
  for (const l of lines) l.pitch = pitch;
  return lines;
}

/**
 * The same lines again, each crop squeezed to 90 %: a second look under which the model's reads
 * of characters it knows hold, and its guesses at characters it does not know tend to change or
 * lose probability. (Setting the crop in a canvas 1.4 times its width, as before, cost 5 % more
 * recogniser columns per card for the same reads, flags and doubts: bench/ocr-profile.ts on the
 * 25 rare-character fronts and a 120-image slice, 2026-11-30.)
 */
async function rereadLines(models: OcrModels, img: RgbImage, lines: TextLine[]): Promise<TextLine[]> {
  // in one call, so an idle peer worker can take a share of them (peer.ts)
  const probs: LineProbs[] = await recognizeLines(models, lines.map((l) => cropLine(img, l.box, 0.9)));
  return lines.map((l, i) => {
    const again: TextLine = { box: l.box, probs: probs[i]!, text: greedyDecode(probs[i]!, models.charset) };
    if (l.pitch) again.pitch = l.pitch * (probs[i]!.steps / Math.max(1, l.probs.steps));
    if (l.cut !== undefined) again.cut = Math.round(l.cut * (probs[i]!.steps / Math.max(1, l.probs.steps)));
    return again;
  });
}

export function decideSide(rows: Row[]): CardSide {
  const labels = Object.keys(locateFrontLabels(rows)).length;
  const digits = digitRun(rows);
  const front = labels + (checkedNumberRead(rows) ? 3 : digits >= 15 ? 2 : 0);
  const back = backMarkers(rows);
  if (front >= 3 && front >= back) return 'front';
  if (back >= 2) return 'back';
  return 'none';
}

/**
 * The card's corners: estimated from the extent of its text and the card's proportions, then
 * moved onto the card's own edges where card-edges.ts finds them in the image.
 */
function cardQuad(img: RgbImage, frame: CardFrame, boxes: CardBox[], scale: number): { estimate: Quad; refined?: Quad } {
  let u0 = Infinity, u1 = -Infinity, v0 = Infinity, v1 = -Infinity;
  for (const b of boxes) {
    u0 = Math.min(u0, b.u - b.w / 2); u1 = Math.max(u1, b.u + b.w / 2);
    v0 = Math.min(v0, b.v - b.h / 2); v1 = Math.max(v1, b.v + b.h / 2);
  }
  const width = Math.max(u1 - u0, ((v1 - v0) * 85.6) / 54 * 0.85) / 0.86;
  const height = (width * 54) / 85.6;
  const cu = u0 - 0.05 * width + width / 2;
  const cv = (v0 + v1) / 2;
  const q = quadFromFrame(frame.angle, cu - width / 2, cv - height / 2, cu + width / 2, cv + height / 2);
  const estimate = q.map(([x, y]) => [Math.round(x * scale), Math.round(y * scale)]) as Quad;
  const refined = refineCardQuad(img, frame.angle, estimate, { text: { u0: u0 * scale, v0: v0 * scale, u1: u1 * scale, v1: v1 * scale } });
  return refined ? { estimate, refined: refined.map(([x, y]) => [Math.round(x), Math.round(y)]) as Quad } : { estimate };
}

/** Boxes much smaller than the text around them are marks in the background, not text. */
function dropSpecks(boxes: TextBox[]): TextBox[] {
  const h = medianHeight(boxes);
  return boxes.filter((b) => b.h >= 0.6 * h);
}

/** labels and titles, two of which at the starts of a group's rows make it a card's text */
const CARD_WORDS = ['姓名', '性别', '出生', '住址', '公民身份号码', '中华人民共和国', '居民身份证', '签发机关', '有效期限'];
/** row starts read per group of text, and in all */
const STARTS_PER_GROUP = 16;
const STARTS_IN_ALL = 24;

/**
 * The boxes worth reading when there are many: the groups of text (text-groups.ts) whose row
 * starts hold at least two card labels or titles, and the groups above or below those (a card's
 * own lines the detector left apart), but not the text beside them (the page a card lies on).
 * None when no group holds two: a page of text is not a card. `cardWords`: how many different
 * card words the row starts held in all.
 */
async function cardText(models: OcrModels, img: RgbImage, boxes: CardBox[]): Promise<{ boxes: CardBox[]; cardWords: number }> {
  const groups = groupsApart(boxes, (b) => b).sort((a, b) => b.length - a.length);
  const starts: Array<{ group: number; box: CardBox }> = [];
  groups.forEach((g, group) => {
    // a lone box is no card by itself (it stays when it is not beside one)
    if (g.length < 2) return;
    for (const box of rowStarts(g).slice(0, Math.min(STARTS_PER_GROUP, STARTS_IN_ALL - starts.length))) starts.push({ group, box });
  });
  const lines = await readLines(models, img, starts.map((s) => s.box));
  const read = lines.map((l) => l.text.text.replace(/\s+/g, ''));
  const cardWords = (texts: string[]) => CARD_WORDS.filter((w) => texts.some((t) => t.includes(w))).length;
  const isCard = groups.map((_, group) => cardWords(read.filter((_, i) => starts[i]!.group === group)) >= 2);
  const cards = groups.filter((_, i) => isCard[i]);
  const inAll = cardWords(read);
  // a card the detector left in pieces, each with one label, is still a card: read it all
  if (cards.length === 0) return { boxes: inAll >= 2 ? boxes : [], cardWords: inAll };
  return { boxes: groups.filter((g, i) => isCard[i] || !cards.some((c) => beside(g, c))).flat(), cardWords: inAll };
}

/** The first box of each row, from the top, cut to its first seven characters' worth. */
function rowStarts(boxes: CardBox[]): CardBox[] {
  const sorted = [...boxes].sort((a, b) => a.v - b.v);
  const rows: CardBox[][] = [];
  for (const b of sorted) {
    const row = rows.find((r) => Math.abs(r[0]!.v - b.v) < 0.45 * Math.min(r[0]!.h, b.h));
    if (row) row.push(b);
    else rows.push([b]);
  }
  return rows.map((r) => {
    const b = r.reduce((a, x) => (x.u - x.w / 2 < a.u - a.w / 2 ? x : a));
    if (b.w <= 7 * b.h) return b;
    const cut = (b.w - 7 * b.h) / 2;
    return { ...b, w: 7 * b.h, cx: b.cx - cut * Math.cos(b.angle), cy: b.cy - cut * Math.sin(b.angle), u: b.u - cut };
  });
}
