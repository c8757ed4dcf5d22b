// Fonts for the cards, from Debian's fonts-noto-cjk and fonts-ocr-b (see .ci/run and the README).
// The product needs no fonts; only this generator does. Skia finds the Noto CJK SC faces through
// fontconfig (registering the .ttc by path would only give its first face, JP); OCR-B is
// registered under its own alias because the system family "OCR B" mixes in the oblique cut.
import fs from 'node:fs';
import { GlobalFonts } from '@napi-rs/canvas';

const NOTO_DIRS = ['/usr/share/fonts/opentype/noto', '/usr/share/fonts/truetype/noto'];
const OCRB_FILE = '/usr/share/fonts/opentype/ocr-b/OCRB.otf';

/** CSS font stacks; Serif follows Sans so Ext-A characters (㛃) Sans lacks still render */
export const SANS = "'Noto Sans CJK SC', 'Noto Serif CJK SC'";
export const SERIF = "'Noto Serif CJK SC', 'Noto Sans CJK SC'";
export const OCRB = "GenCardsOCRB, 'Noto Sans CJK SC'";

let registered = false;

export function registerFonts(): void {
  if (registered) return;
  const missing: string[] = [];
  if (!NOTO_DIRS.some((d) => fs.existsSync(`${d}/NotoSansCJK-Regular.ttc`))) missing.push('fonts-noto-cjk');
  if (!fs.existsSync(OCRB_FILE)) missing.push('fonts-ocr-b');
  if (missing.length) {
    throw new Error(`gen-cards: fonts missing; run: apt-get install -y ${missing.join(' ')}`);
  }
  GlobalFonts.registerFromPath(OCRB_FILE, 'GenCardsOCRB');
  registered = true;
}
