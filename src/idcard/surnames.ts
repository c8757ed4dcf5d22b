// Chinese surnames, and how common each is: what a card's name most likely starts with before
// it is read. A few hundred surnames cover nearly everyone (the top 100 about 85 %, the top 300
// over 95 % in the Ministry of Public Security's yearly rankings), so a name whose first
// character is no surname at all (新, 荷, 幕) was more likely misread than printed.

/**
 * Single-character surnames in order of how many people hold them, most common first, after
 * the ministry's 2020 ranking (the order past the first hundred or so is approximate, which
 * the share below tolerates: it falls slowly with rank).
 */
const BY_RANK = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
  ...'常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝',
  ...'官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慎危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由',
];

/**
 * The other surnames of 百家姓 and of the ministry's longer lists: real, but held by few
 * (终, 能, 暴 …); a read that gives one of them is still worth a second thought.
 */
const RARE = [
  ...'酆廉傅湛贝伏茅臧贲滑荀羿汲邴糜松弓牧隗山宓蓬郗仰秋暴钭蓟怀从鄂咸籍鬱能苍双莘逄扶堵宰郦卻璩濮寿通郏别充习宦鱼向终暨步弘禄殳沃蔚越夔厍融訾空毋乜养须巢蒯后红竺益桓',
];

/** Two-character surnames, most common first. */
const COMPOUND = ['欧阳', '上官', '司马', '诸葛', '东方', '皇甫', '慕容', '令狐', '尉迟', '公孙', '夏侯', '司徒', '端木', '宇文', '长孙', '独孤', '轩辕', '南宫', '西门', '呼延', '申屠', '万俟', '澹台', '闻人', '赫连', '公冶', '太史', '濮阳', '宗政', '拓跋'];

/** what a surname of neither list is given: real ones exist, so never zero */
const UNLISTED_SHARE = 1e-7;
const RARE_SHARE = 1e-6;

const SHARE = new Map<string, number>();
// fitted to the ranking's published shares: 王 ≈ 7 %, the 10th ≈ 1.8 %, the 20th ≈ 1 %, the
// 100th ≈ 0.2 %; the compound ones after the single ones they stand among (欧阳 ≈ 0.1 %)
BY_RANK.forEach((s, r) => { if (!SHARE.has(s)) SHARE.set(s, 0.25 / Math.pow(r + 3.5, 1.05)); });
for (const s of RARE) if (!SHARE.has(s)) SHARE.set(s, RARE_SHARE);
COMPOUND.forEach((s, r) => SHARE.set(s, 0.001 / (r + 1)));

/** The share of people (0..1) whose surname is `surname` (one or two characters); a small
 *  floor for a surname on neither list. */
export function surnameShare(surname: string): number {
  return SHARE.get(surname) ?? UNLISTED_SHARE;
}

/** Every surname on the lists, single and compound. */
export function knownSurnames(): string[] {
  return [...SHARE.keys()];
}
