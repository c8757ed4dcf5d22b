/**
 * The 56 nationalities of China, without the trailing 族, in the standard
 * GB 3304 order (code 01 = 汉 … 56 = 基诺). `NATIONS[i]` has code `i + 1`.
 */
export const NATIONS: readonly string[] = Object.freeze([
  '汉', '蒙古', '回', '藏', '维吾尔', '苗', '彝', '壮', '布依', '朝鲜',
  '满', '侗', '瑶', '白', '土家', '哈尼', '哈萨克', '傣', '黎', '傈僳',
  '佤', '畲', '高山', '拉祜', '水', '东乡', '纳西', '景颇', '柯尔克孜', '土',
  '达斡尔', '仫佬', '羌', '布朗', '撒拉', '毛南', '仡佬', '锡伯', '阿昌', '普米',
  '塔吉克', '怒', '乌孜别克', '俄罗斯', '鄂温克', '德昂', '保安', '裕固', '京', '塔塔尔',
  '独龙', '鄂伦春', '赫哲', '门巴', '珞巴', '基诺',
]);

const BY_NAME = new Map(NATIONS.map((n, i) => [n, i + 1]));

/**
 * The nation a card's 民族 field names, as it appears in NATIONS (汉, 蒙古 …), or undefined.
 * White space and a trailing 族 are ignored ("汉族", " 汉 ").
 */
export function nationOf(text: string): string | undefined {
  if (typeof text !== 'string' || text.length > 16) return undefined;
  const t = text.replace(/[\s\u3000]+/g, '');
  if (BY_NAME.has(t)) return t;
  const bare = t.endsWith('族') ? t.slice(0, -1) : undefined;
  return bare !== undefined && BY_NAME.has(bare) ? bare : undefined;
}

/** The GB 3304 code (1 = 汉 … 56 = 基诺) of a nation name from NATIONS, or undefined. */
export function nationCode(name: string): number | undefined {
  return BY_NAME.get(name);
}
