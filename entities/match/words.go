package match

// The word tables. Keys are normalized (see Normalize).

// abbreviations expands common abbreviations of company and place names.
var abbreviations = map[string][]string{
	"intl":   {"international"},
	"int":    {"international"},
	"inter":  {"international"},
	"tech":   {"technology"},
	"techn":  {"technology"},
	"co":     {"company"},
	"cos":    {"companies"},
	"corp":   {"corporation"},
	"inc":    {"incorporated"},
	"ltd":    {"limited"},
	"ltda":   {"limited"},
	"hk":     {"hong", "kong"},
	"hkg":    {"hong", "kong"},
	"sg":     {"singapore"},
	"sgp":    {"singapore"},
	"mfg":    {"manufacturing"},
	"mfr":    {"manufacturer"},
	"elec":   {"electronics"},
	"electr": {"electronics"},
	"bros":   {"brothers"},
	"assoc":  {"association"},
	"natl":   {"national"},
	"svc":    {"service"},
	"svcs":   {"services"},
	"grp":    {"group"},
	"hldg":   {"holding"},
	"hldgs":  {"holdings"},
	"sci":    {"science"},
	"ind":    {"industrial"},
	"inds":   {"industries"},
	"imp":    {"import"},
	"exp":    {"export"},
	"dev":    {"development"},
	"devt":   {"development"},
	"equip":  {"equipment"},
	"univ":   {"university"},
	"inst":   {"institute"},
	"acad":   {"academy"},
	"govt":   {"government"},
	"semi":   {"semiconductor"},
}

// concepts maps weak (legal-form and generic) words to what they mean, so
// that "Co., Ltd." and "有限公司" or "Tech" and "科技" count as the same
// weak words. A word in this table is weak.
var concepts = map[string][]string{
	// English legal forms.
	"company": {"company"}, "companies": {"company"}, "corporation": {"corporation"},
	"incorporated": {"incorporated"}, "limited": {"limited"}, "llc": {"llc"}, "llp": {"llp"},
	"lp": {"lp"}, "plc": {"plc"}, "pte": {"private"}, "pty": {"proprietary"}, "pvt": {"private"},
	"private": {"private"}, "proprietary": {"proprietary"}, "public": {"public"},
	"gmbh": {"gmbh"}, "ag": {"ag"}, "kg": {"kg"}, "sa": {"sa"}, "sas": {"sa"}, "sarl": {"sarl"},
	"srl": {"srl"}, "spa": {"spa"}, "bv": {"bv"}, "nv": {"nv"}, "kk": {"kk"}, "oy": {"oy"},
	"ab": {"ab"}, "jsc": {"jsc"}, "ojsc": {"jsc"}, "pjsc": {"jsc"}, "cjsc": {"jsc"}, "ooo": {"llc"},
	"zao": {"jsc"}, "oao": {"jsc"}, "fze": {"fze"}, "fzco": {"fze"}, "fzc": {"fze"}, "fzllc": {"fze"},
	"bhd": {"bhd"}, "sdn": {"sdn"}, "tbk": {"tbk"}, "joint": {"joint"}, "stock": {"stock"},
	"liability": {"liability"}, "responsibility": {"liability"},
	// Generic business words.
	"group": {"group"}, "holding": {"holding"}, "holdings": {"holding"},
	"international": {"international"}, "global": {"global"},
	"technology": {"technology"}, "technologies": {"technology"},
	"trading": {"trading"}, "trade": {"trading"}, "traders": {"trading"},
	"industrial": {"industrial"}, "industries": {"industrial"}, "industry": {"industrial"},
	"electronics": {"electronics"}, "electronic": {"electronics"},
	"logistics": {"logistics"}, "shipping": {"shipping"}, "freight": {"freight"},
	"forwarding": {"forwarding"}, "forwarder": {"forwarding"}, "express": {"express"},
	"import": {"import"}, "export": {"export"}, "enterprise": {"enterprise"}, "enterprises": {"enterprise"},
	"development": {"development"}, "investment": {"investment"}, "investments": {"investment"},
	"service": {"service"}, "services": {"service"}, "solutions": {"solutions"}, "solution": {"solutions"},
	"systems": {"systems"}, "system": {"systems"}, "supply": {"supply"}, "chain": {"chain"},
	"manufacturing": {"manufacturing"}, "manufacturer": {"manufacturing"},
	"science": {"science"}, "sciences": {"science"}, "semiconductor": {"semiconductor"},
	"semiconductors": {"semiconductor"}, "information": {"information"}, "network": {"network"},
	"networks": {"network"}, "equipment": {"equipment"}, "engineering": {"engineering"},
	"commercial": {"commercial"}, "commerce": {"commercial"}, "business": {"business"},
	"branch": {"branch"}, "office": {"office"}, "the": {"the"}, "and": {"and"}, "of": {"of"},
	// Chinese legal forms and generic words. Longer forms first in hanSuffixes.
	"股份有限公司": {"stock", "limited", "company"}, "有限责任公司": {"limited", "liability", "company"},
	"有限公司": {"limited", "company"}, "责任公司": {"liability", "company"}, "公司": {"company"},
	"分公司": {"branch", "company"}, "总公司": {"company"}, "集团": {"group"}, "控股": {"holding"},
	"股份": {"stock"}, "有限": {"limited"}, "科技": {"technology"}, "技术": {"technology"},
	"贸易": {"trading"}, "商贸": {"trading"}, "经贸": {"trading"}, "工贸": {"trading"},
	"国际": {"international"}, "实业": {"industrial"}, "工业": {"industrial"}, "电子": {"electronics"},
	"进出口": {"import", "export"}, "物流": {"logistics"}, "货运": {"freight"}, "货运代理": {"freight", "forwarding"},
	"国际货运代理": {"international", "freight", "forwarding"}, "供应链": {"supply", "chain"},
	"发展": {"development"}, "投资": {"investment"}, "服务": {"service"}, "信息": {"information"},
	"网络": {"network"}, "制造": {"manufacturing"}, "设备": {"equipment"}, "工程": {"engineering"},
	"半导体": {"semiconductor"}, "企业": {"enterprise"}, "商务": {"business"}, "办事处": {"office"},
	"代表处": {"office"}, "管理": {"management"}, "咨询": {"consulting"}, "航运": {"shipping"},
	"快递": {"express"}, "智能": {"intelligent"}, "软件": {"software"}, "系统": {"systems"},
	"产业": {"industrial"}, "微电子": {"electronics"}, "光电": {"optoelectronics"}, "通信": {"communication"}, "数据": {"data"},
}

// hanPlaces are place names that open Chinese company names (深圳市华强…);
// they are split off as tokens of their own, with an optional 市, 省, 区 or
// 县 dropped.
var hanPlaces = []string{
	"中国", "香港", "澳门", "台湾", "新加坡", "北京", "上海", "天津", "重庆", "深圳", "广州", "东莞",
	"佛山", "珠海", "中山", "惠州", "杭州", "宁波", "温州", "义乌", "苏州", "无锡", "南京", "常州",
	"合肥", "武汉", "长沙", "成都", "西安", "郑州", "济南", "青岛", "厦门", "福州", "泉州", "大连",
	"沈阳", "哈尔滨", "长春", "昆明", "南宁", "海口", "贵阳", "南昌", "石家庄", "太原", "兰州",
	"乌鲁木齐", "呼和浩特", "银川", "西宁", "拉萨", "广东", "江苏", "浙江", "福建", "山东", "河北",
	"河南", "湖北", "湖南", "四川", "安徽", "江西", "辽宁", "吉林", "黑龙江", "陕西", "山西",
	"云南", "贵州", "广西", "海南", "甘肃", "内蒙古", "新疆", "宁夏", "青海", "西藏",
	// Hong Kong districts, where many trading companies are registered.
	"九龙", "新界", "观塘", "深水埗", "旺角", "尖沙咀", "油麻地", "荃湾", "葵涌", "沙田", "湾仔",
	"铜锣湾", "中环", "上环", "屯门", "元朗", "大埔", "将军澳", "长沙湾", "荔枝角", "红磡", "土瓜湾",
	// Taiwan, Singapore and Malaysia.
	"台北", "新北", "高雄", "台中", "新竹", "基隆", "桃园", "吉隆坡", "槟城", "新山", "马来西亚",
}

// hanPlaceSuffixes may follow a place name at the start of a Chinese name.
var hanPlaceSuffixes = []string{"特别行政区", "自治区", "市", "省", "区", "县"}

// hanExonyms are the usual English names of places whose pinyin differs,
// written without spaces: 香港 = "Hong Kong", not "Xianggang".
// Hong Kong's districts go by Cantonese names that their readings do not
// always spell (九龙 reads Kau Lung, 观塘 Kun Tong).
var hanExonyms = map[string][]string{
	"香港": {"hongkong"}, "澳门": {"macau", "macao"}, "中国": {"china"}, "新加坡": {"singapore"},
	"台湾": {"taiwan"}, "北京": {"peking"}, "广州": {"canton"}, "厦门": {"amoy"},
	"九龙": {"kowloon"}, "新界": {"newterritories"}, "观塘": {"kwuntong"}, "深水埗": {"shamshuipo"},
	"旺角": {"mongkok"}, "尖沙咀": {"tsimshatsui"}, "油麻地": {"yaumatei"}, "荃湾": {"tsuenwan"},
	"葵涌": {"kwaichung"}, "沙田": {"shatin"}, "湾仔": {"wanchai"}, "铜锣湾": {"causewaybay"},
	"中环": {"central"}, "上环": {"sheungwan"}, "屯门": {"tuenmun"}, "元朗": {"yuenlong"}, "大埔": {"taipo"},
	"将军澳": {"tseungkwano"}, "长沙湾": {"cheungshawan"}, "荔枝角": {"laichikok"}, "红磡": {"hunghom"},
	"土瓜湾": {"tokwawan"}, "台北": {"taipei"}, "新北": {"newtaipei"}, "高雄": {"kaohsiung"},
	"台中": {"taichung"}, "新竹": {"hsinchu"}, "基隆": {"keelung"}, "桃园": {"taoyuan"},
	"吉隆坡": {"kualalumpur"}, "槟城": {"penang"}, "新山": {"johorbahru"}, "马来西亚": {"malaysia"},
}
