// Who is on the card: name, sex, nation, birthday, address, ID number, and the back's
// authority and validity, all consistent with each other (number vs birthday and sex, region
// code vs address and authority, validity period vs age at issue).
import { NATIONS, checkDigitOf } from '../../src/idcard/index.ts';
import type { Random } from './random.ts';
import { allRegions, authorityOf, regionPrefix, type Region } from './regions.ts';

export interface Identity {
  name: string;
  sex: '男' | '女';
  nation: string;
  /** YYYYMMDD */
  birthday: string;
  address: string;
  idCard: string;
  region: Region;
  authority: string;
  /** YYYY.MM.DD-YYYY.MM.DD or YYYY.MM.DD-长期 */
  validity: string;
}

const SURNAMES = ('王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝').split('');
const COMPOUND_SURNAMES = ['欧阳', '司马', '上官', '诸葛', '东方', '慕容', '令狐', '皇甫', '尉迟', '公孙'];
const GIVEN_MALE = '伟强磊军洋勇杰涛明超平刚文华建国志飞海鹏辉波宇浩凯鑫晨博轩泽昊天瑞俊峰亮斌成永庆福德生荣东林松阳健毅龙坤铭宏彬立新中兴旭鸿恒康振宁远哲翔瀚睿航'.split('');
const GIVEN_FEMALE = '芳娜秀英敏静丽艳娟兰霞桂红玉凤珍琴云莉燕梅雪琳慧颖佳嘉怡婷欣萱涵诗晴璐瑶琪思雨丹晓春萍倩妍悦蕾薇月彤菲璇洁露君素香淑惠'.split('');
const GIVEN_ANY = '子梓一文心书宇安晨佳嘉思雨若可依语欣亦'.split('');
/** characters used in real names that the OCR model's dictionary may lack */
export const RARE_NAME_CHARS = '赟琍㛃泐堃喆玥犇淼垚燚媖甦昇珺翀頔玙琭旻晅琤璟瑀婍昪'.split('');
const DOT_GIVEN = ['买买提', '艾力', '阿不都', '热合曼', '吐尔逊', '努尔', '古丽', '阿依', '帕提古丽', '迪丽', '艾尼瓦尔', '阿卜杜拉', '依明', '木拉提', '哈力克', '再努尔', '米娜瓦尔', '阿孜古丽', '肉孜', '塔依尔', '巴哈尔', '阿斯哈尔', '叶尔兰', '加娜尔', '努尔兰', '阿依古丽', '伊力', '吾斯曼'];
const TIBETAN = ['扎西', '次仁', '卓玛', '格桑', '多吉', '央金', '平措', '德吉', '拉姆', '旺堆', '措姆', '尼玛', '达瓦', '普布', '曲珍', '边巴'];
const MONGOL = ['巴特尔', '其其格', '乌日娜', '斯琴', '苏和', '额尔敦', '乌兰', '宝音', '萨仁', '那顺', '图雅', '巴图'];
const DOT_NATIONS = new Set(['维吾尔', '哈萨克', '塔吉克', '乌孜别克', '塔塔尔', '柯尔克孜', '俄罗斯']);

const ROADS = ['人民', '解放', '建设', '中山', '胜利', '文化', '和平', '新华', '光明', '东风', '长江', '黄河', '朝阳', '幸福', '团结', '友谊', '工农', '健康', '青年', '五一', '花园', '滨江', '学府', '迎宾', '沿河', '北京', '南京', '延安', '府前', '东环', '西环', '金山', '玉泉', '白云', '红旗', '振兴'];
const ROAD_KINDS = ['路', '街', '大道', '大街', '巷', '东路', '西路', '南路', '北路'];
const TOWNS = ['城关', '新城', '石桥', '马家', '李庄', '红星', '白沙', '青山', '大河', '清水', '龙泉', '太平', '永安', '长乐', '桃源', '双河', '三合', '柳林', '高桥', '杨柳', '黄土', '官渡', '河口', '古城', '凤凰', '兴隆'];
const VILLAGES = ['张家', '王庄', '刘湾', '前进', '红旗', '新民', '东方', '和平', '胜利', '杨树', '石门', '后营', '上坪', '下河', '中心', '丰收', '团结', '双龙', '沙坝', '田坝'];
const COMPOUNDS = ['锦绣', '阳光', '翠苑', '华府', '金地', '绿洲', '碧水', '御景', '东方', '世纪', '香榭', '幸福', '和谐', '怡园', '书香', '景苑'];
const RARE_PLACE_CHARS = ['泐', '氹', '涠', '濑', '砦', '垭', '岙', '畈', '埭', '圩', '坻', '硚', '舣'];

/** display width of an address in CJK character units (digits and ASCII are half-width) */
export function textUnits(s: string): number {
  let u = 0;
  for (const ch of s) u += /[\x20-\x7e]/.test(ch) ? 0.55 : 1;
  return u;
}

function pickSurname(rng: Random): string {
  return rng.chance(0.03) ? rng.pick(COMPOUND_SURNAMES) : rng.pick(SURNAMES);
}

export function makeName(rng: Random, sex: '男' | '女', nation: string, rareShare: number): string {
  if (DOT_NATIONS.has(nation) && rng.chance(0.85)) {
    let name = '';
    do name = `${rng.pick(DOT_GIVEN)}·${rng.pick(DOT_GIVEN)}`; while (name.length > 10);
    return name;
  }
  if (nation === '藏' && rng.chance(0.8)) return rng.chance(0.5) ? rng.pick(TIBETAN) : rng.pick(TIBETAN) + rng.pick(TIBETAN);
  if (nation === '蒙古' && rng.chance(0.5)) return rng.pick(MONGOL);
  const pool = rng.chance(0.2) ? GIVEN_ANY : sex === '男' ? GIVEN_MALE : GIVEN_FEMALE;
  const givenLength = rng.weighted([[1, 0.3], [2, 0.68], [3, 0.02]] as const);
  const given: string[] = [];
  for (let i = 0; i < givenLength; i++) given.push(rng.pick(pool));
  if (rng.chance(rareShare)) given[rng.int(0, given.length - 1)] = rng.pick(RARE_NAME_CHARS);
  return pickSurname(rng) + given.join('');
}

function streetPart(rng: Random, region: Region, rareShare: number): string {
  const n = () => String(rng.int(1, 399));
  const rural = /[县旗]$/.test(region.county) || rng.chance(0.15);
  let town = rng.pick(TOWNS);
  if (rng.chance(rareShare)) town = town[0] + rng.pick(RARE_PLACE_CHARS);
  if (rural) {
    const village = rng.pick(VILLAGES);
    return rng.weighted([
      [`${town}镇${village}村${rng.int(1, 12)}组${n()}号`, 3],
      [`${town}乡${village}村${n()}号`, 2],
      [`${town}镇${village}村`, 1],
      [`${town}镇${rng.pick(ROADS)}${rng.pick(ROAD_KINDS)}${n()}号`, 2],
    ] as const);
  }
  const road = rng.pick(ROADS) + rng.pick(ROAD_KINDS);
  return rng.weighted([
    [`${road}${n()}号`, 3],
    [`${road}${n()}号${rng.int(1, 30)}栋${rng.int(1, 6)}单元${rng.int(1, 32)}0${rng.int(1, 6)}室`, 3],
    [`${road}${n()}号院${rng.int(1, 20)}号楼${rng.int(1, 28)}0${rng.int(1, 4)}号`, 2],
    [`${rng.pick(COMPOUNDS)}小区${rng.int(1, 40)}栋${rng.int(1, 3)}0${rng.int(1, 8)}号`, 2],
    [`${town}街道${road}${n()}号`, 2],
  ] as const);
}

/** An address over 1–3 printed lines of about 11 characters, starting with the region. */
export function makeAddress(rng: Random, region: Region, rareShare: number): string {
  const prefix = regionPrefix(region);
  for (let attempt = 0; attempt < 20; attempt++) {
    const full = prefix + streetPart(rng, region, rareShare);
    if (textUnits(full) <= 31.5) return full;
  }
  return prefix;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function makeIdNumber(region: Region, birthday: string, sex: '男' | '女', seq: number): string {
  const odd = sex === '男' ? 1 : 0;
  const s = seq - (seq % 2) + odd;
  const first17 = region.code + birthday + String(s % 1000).padStart(3, '0');
  return first17 + checkDigitOf(first17);
}

export interface IdentityOptions {
  /** share of names/addresses with a rare character (default 0.06) */
  rareShare?: number;
  /** force the nation */
  nation?: string;
}

export function makeIdentity(rng: Random, options: IdentityOptions = {}): Identity {
  const rareShare = options.rareShare ?? 0.06;
  const regions = allRegions();
  const region = rng.pick(regions);
  const sex = rng.chance(0.5) ? '男' : '女';
  const nation = options.nation ?? (rng.chance(0.45) ? '汉' : rng.pick(NATIONS));
  const year = rng.int(1945, 2009);
  const month = rng.int(1, 12);
  const day = rng.int(1, daysIn(year, month));
  const birthday = `${year}${pad2(month)}${pad2(day)}`;
  const idCard = makeIdNumber(region, birthday, sex, rng.int(0, 999));
  const name = makeName(rng, sex, nation, rareShare);
  const address = makeAddress(rng, region, rareShare / 2);
  const issueYear = rng.int(Math.max(2006, year + 10), 2025);
  const issueMonth = rng.int(1, 12);
  const issueDay = rng.int(1, daysIn(issueYear, issueMonth));
  const age = issueYear - year;
  const years = age < 16 ? 5 : age <= 25 ? 10 : age <= 45 ? 20 : 0;
  const start = `${issueYear}.${pad2(issueMonth)}.${pad2(issueDay)}`;
  // 2.29 + n years lands on 3.01 when the end year is not a leap year
  const endDay = Math.min(issueDay, daysIn(issueYear + years, issueMonth));
  const validity = years === 0 ? `${start}-长期` : `${start}-${issueYear + years}.${pad2(issueMonth)}.${pad2(endDay)}`;
  return { name, sex, nation, birthday, address, idCard, region, authority: authorityOf(region), validity };
}
