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

/**
 * People of each nation in the 2020 census (第七次全国人口普查, rounded to thousands): how
 * likely a card is to name it before it is read. 汉 is 91 % of the population; the smallest
 * nations have a few thousand people.
 */
const CENSUS_2020_THOUSANDS: Readonly<Record<string, number>> = Object.freeze({
  汉: 1286311, 壮: 19569, 维吾尔: 11775, 回: 11378, 苗: 11067, 满: 10423, 彝: 9830, 土家: 9588,
  藏: 7061, 蒙古: 6290, 布依: 3577, 侗: 3496, 瑶: 3309, 白: 2091, 哈尼: 1733, 朝鲜: 1702,
  黎: 1603, 哈萨克: 1563, 傣: 1330, 畲: 747, 傈僳: 763, 东乡: 775, 仡佬: 678, 拉祜: 500,
  佤: 431, 水: 496, 纳西: 324, 羌: 313, 土: 281, 仫佬: 278, 锡伯: 192, 柯尔克孜: 204,
  景颇: 160, 达斡尔: 132, 撒拉: 165, 布朗: 127, 毛南: 124, 塔吉克: 51, 普米: 45, 阿昌: 44,
  怒: 37, 鄂温克: 35, 京: 33, 基诺: 26, 德昂: 22, 保安: 24, 俄罗斯: 16, 裕固: 15,
  乌孜别克: 12, 门巴: 11, 鄂伦春: 9, 独龙: 7, 赫哲: 5, 高山: 4, 珞巴: 5, 塔塔尔: 4,
});
const CENSUS_TOTAL = Object.values(CENSUS_2020_THOUSANDS).reduce((a, b) => a + b, 0);

/** The share of the population (0..1) that belongs to a nation of NATIONS, or 0. */
export function nationShare(name: string): number {
  return (CENSUS_2020_THOUSANDS[name] ?? 0) / CENSUS_TOTAL;
}
