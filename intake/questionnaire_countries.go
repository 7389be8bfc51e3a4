package intake

import "strings"

// CountryOption is an ISO 3166-1 country or territory as a country field
// offers it: its alpha-2 code and its name in every language. (Country is
// the field type.)
type CountryOption struct {
	Code string
	Name Text
}

// countries lists every ISO 3166-1 alpha-2 code with its English and
// Simplified Chinese name, sorted by English name. Hong Kong, Macao and
// Taiwan carry their plain names, which read neutrally in both languages.
var countries = []CountryOption{
	{"AF", Text{EN: "Afghanistan", ZH: "阿富汗"}},
	{"AX", Text{EN: "Åland Islands", ZH: "奥兰群岛"}},
	{"AL", Text{EN: "Albania", ZH: "阿尔巴尼亚"}},
	{"DZ", Text{EN: "Algeria", ZH: "阿尔及利亚"}},
	{"AS", Text{EN: "American Samoa", ZH: "美属萨摩亚"}},
	{"AD", Text{EN: "Andorra", ZH: "安道尔"}},
	{"AO", Text{EN: "Angola", ZH: "安哥拉"}},
	{"AI", Text{EN: "Anguilla", ZH: "安圭拉"}},
	{"AQ", Text{EN: "Antarctica", ZH: "南极洲"}},
	{"AG", Text{EN: "Antigua and Barbuda", ZH: "安提瓜和巴布达"}},
	{"AR", Text{EN: "Argentina", ZH: "阿根廷"}},
	{"AM", Text{EN: "Armenia", ZH: "亚美尼亚"}},
	{"AW", Text{EN: "Aruba", ZH: "阿鲁巴"}},
	{"AU", Text{EN: "Australia", ZH: "澳大利亚"}},
	{"AT", Text{EN: "Austria", ZH: "奥地利"}},
	{"AZ", Text{EN: "Azerbaijan", ZH: "阿塞拜疆"}},
	{"BS", Text{EN: "Bahamas", ZH: "巴哈马"}},
	{"BH", Text{EN: "Bahrain", ZH: "巴林"}},
	{"BD", Text{EN: "Bangladesh", ZH: "孟加拉国"}},
	{"BB", Text{EN: "Barbados", ZH: "巴巴多斯"}},
	{"BY", Text{EN: "Belarus", ZH: "白俄罗斯"}},
	{"BE", Text{EN: "Belgium", ZH: "比利时"}},
	{"BZ", Text{EN: "Belize", ZH: "伯利兹"}},
	{"BJ", Text{EN: "Benin", ZH: "贝宁"}},
	{"BM", Text{EN: "Bermuda", ZH: "百慕大"}},
	{"BT", Text{EN: "Bhutan", ZH: "不丹"}},
	{"BO", Text{EN: "Bolivia", ZH: "玻利维亚"}},
	{"BA", Text{EN: "Bosnia and Herzegovina", ZH: "波斯尼亚和黑塞哥维那"}},
	{"BW", Text{EN: "Botswana", ZH: "博茨瓦纳"}},
	{"BV", Text{EN: "Bouvet Island", ZH: "布韦岛"}},
	{"BR", Text{EN: "Brazil", ZH: "巴西"}},
	{"IO", Text{EN: "British Indian Ocean Territory", ZH: "英属印度洋领地"}},
	{"VG", Text{EN: "British Virgin Islands", ZH: "英属维尔京群岛"}},
	{"BN", Text{EN: "Brunei", ZH: "文莱"}},
	{"BG", Text{EN: "Bulgaria", ZH: "保加利亚"}},
	{"BF", Text{EN: "Burkina Faso", ZH: "布基纳法索"}},
	{"BI", Text{EN: "Burundi", ZH: "布隆迪"}},
	{"CV", Text{EN: "Cabo Verde", ZH: "佛得角"}},
	{"KH", Text{EN: "Cambodia", ZH: "柬埔寨"}},
	{"CM", Text{EN: "Cameroon", ZH: "喀麦隆"}},
	{"CA", Text{EN: "Canada", ZH: "加拿大"}},
	{"BQ", Text{EN: "Caribbean Netherlands", ZH: "荷属加勒比区"}},
	{"KY", Text{EN: "Cayman Islands", ZH: "开曼群岛"}},
	{"CF", Text{EN: "Central African Republic", ZH: "中非共和国"}},
	{"TD", Text{EN: "Chad", ZH: "乍得"}},
	{"CL", Text{EN: "Chile", ZH: "智利"}},
	{"CN", Text{EN: "China", ZH: "中国"}},
	{"CX", Text{EN: "Christmas Island", ZH: "圣诞岛"}},
	{"CC", Text{EN: "Cocos (Keeling) Islands", ZH: "科科斯（基林）群岛"}},
	{"CO", Text{EN: "Colombia", ZH: "哥伦比亚"}},
	{"KM", Text{EN: "Comoros", ZH: "科摩罗"}},
	{"CG", Text{EN: "Congo (Brazzaville)", ZH: "刚果（布）"}},
	{"CD", Text{EN: "Congo (Kinshasa)", ZH: "刚果（金）"}},
	{"CK", Text{EN: "Cook Islands", ZH: "库克群岛"}},
	{"CR", Text{EN: "Costa Rica", ZH: "哥斯达黎加"}},
	{"CI", Text{EN: "Côte d'Ivoire", ZH: "科特迪瓦"}},
	{"HR", Text{EN: "Croatia", ZH: "克罗地亚"}},
	{"CU", Text{EN: "Cuba", ZH: "古巴"}},
	{"CW", Text{EN: "Curaçao", ZH: "库拉索"}},
	{"CY", Text{EN: "Cyprus", ZH: "塞浦路斯"}},
	{"CZ", Text{EN: "Czechia", ZH: "捷克"}},
	{"DK", Text{EN: "Denmark", ZH: "丹麦"}},
	{"DJ", Text{EN: "Djibouti", ZH: "吉布提"}},
	{"DM", Text{EN: "Dominica", ZH: "多米尼克"}},
	{"DO", Text{EN: "Dominican Republic", ZH: "多米尼加共和国"}},
	{"EC", Text{EN: "Ecuador", ZH: "厄瓜多尔"}},
	{"EG", Text{EN: "Egypt", ZH: "埃及"}},
	{"SV", Text{EN: "El Salvador", ZH: "萨尔瓦多"}},
	{"GQ", Text{EN: "Equatorial Guinea", ZH: "赤道几内亚"}},
	{"ER", Text{EN: "Eritrea", ZH: "厄立特里亚"}},
	{"EE", Text{EN: "Estonia", ZH: "爱沙尼亚"}},
	{"SZ", Text{EN: "Eswatini", ZH: "斯威士兰"}},
	{"ET", Text{EN: "Ethiopia", ZH: "埃塞俄比亚"}},
	{"FK", Text{EN: "Falkland Islands", ZH: "福克兰群岛"}},
	{"FO", Text{EN: "Faroe Islands", ZH: "法罗群岛"}},
	{"FJ", Text{EN: "Fiji", ZH: "斐济"}},
	{"FI", Text{EN: "Finland", ZH: "芬兰"}},
	{"FR", Text{EN: "France", ZH: "法国"}},
	{"GF", Text{EN: "French Guiana", ZH: "法属圭亚那"}},
	{"PF", Text{EN: "French Polynesia", ZH: "法属波利尼西亚"}},
	{"TF", Text{EN: "French Southern Territories", ZH: "法属南部领地"}},
	{"GA", Text{EN: "Gabon", ZH: "加蓬"}},
	{"GM", Text{EN: "Gambia", ZH: "冈比亚"}},
	{"GE", Text{EN: "Georgia", ZH: "格鲁吉亚"}},
	{"DE", Text{EN: "Germany", ZH: "德国"}},
	{"GH", Text{EN: "Ghana", ZH: "加纳"}},
	{"GI", Text{EN: "Gibraltar", ZH: "直布罗陀"}},
	{"GR", Text{EN: "Greece", ZH: "希腊"}},
	{"GL", Text{EN: "Greenland", ZH: "格陵兰"}},
	{"GD", Text{EN: "Grenada", ZH: "格林纳达"}},
	{"GP", Text{EN: "Guadeloupe", ZH: "瓜德罗普"}},
	{"GU", Text{EN: "Guam", ZH: "关岛"}},
	{"GT", Text{EN: "Guatemala", ZH: "危地马拉"}},
	{"GG", Text{EN: "Guernsey", ZH: "根西岛"}},
	{"GN", Text{EN: "Guinea", ZH: "几内亚"}},
	{"GW", Text{EN: "Guinea-Bissau", ZH: "几内亚比绍"}},
	{"GY", Text{EN: "Guyana", ZH: "圭亚那"}},
	{"HT", Text{EN: "Haiti", ZH: "海地"}},
	{"HM", Text{EN: "Heard Island and McDonald Islands", ZH: "赫德岛和麦克唐纳群岛"}},
	{"HN", Text{EN: "Honduras", ZH: "洪都拉斯"}},
	{"HK", Text{EN: "Hong Kong", ZH: "香港"}},
	{"HU", Text{EN: "Hungary", ZH: "匈牙利"}},
	{"IS", Text{EN: "Iceland", ZH: "冰岛"}},
	{"IN", Text{EN: "India", ZH: "印度"}},
	{"ID", Text{EN: "Indonesia", ZH: "印度尼西亚"}},
	{"IR", Text{EN: "Iran", ZH: "伊朗"}},
	{"IQ", Text{EN: "Iraq", ZH: "伊拉克"}},
	{"IE", Text{EN: "Ireland", ZH: "爱尔兰"}},
	{"IM", Text{EN: "Isle of Man", ZH: "马恩岛"}},
	{"IL", Text{EN: "Israel", ZH: "以色列"}},
	{"IT", Text{EN: "Italy", ZH: "意大利"}},
	{"JM", Text{EN: "Jamaica", ZH: "牙买加"}},
	{"JP", Text{EN: "Japan", ZH: "日本"}},
	{"JE", Text{EN: "Jersey", ZH: "泽西岛"}},
	{"JO", Text{EN: "Jordan", ZH: "约旦"}},
	{"KZ", Text{EN: "Kazakhstan", ZH: "哈萨克斯坦"}},
	{"KE", Text{EN: "Kenya", ZH: "肯尼亚"}},
	{"KI", Text{EN: "Kiribati", ZH: "基里巴斯"}},
	{"KW", Text{EN: "Kuwait", ZH: "科威特"}},
	{"KG", Text{EN: "Kyrgyzstan", ZH: "吉尔吉斯斯坦"}},
	{"LA", Text{EN: "Laos", ZH: "老挝"}},
	{"LV", Text{EN: "Latvia", ZH: "拉脱维亚"}},
	{"LB", Text{EN: "Lebanon", ZH: "黎巴嫩"}},
	{"LS", Text{EN: "Lesotho", ZH: "莱索托"}},
	{"LR", Text{EN: "Liberia", ZH: "利比里亚"}},
	{"LY", Text{EN: "Libya", ZH: "利比亚"}},
	{"LI", Text{EN: "Liechtenstein", ZH: "列支敦士登"}},
	{"LT", Text{EN: "Lithuania", ZH: "立陶宛"}},
	{"LU", Text{EN: "Luxembourg", ZH: "卢森堡"}},
	{"MO", Text{EN: "Macao", ZH: "澳门"}},
	{"MG", Text{EN: "Madagascar", ZH: "马达加斯加"}},
	{"MW", Text{EN: "Malawi", ZH: "马拉维"}},
	{"MY", Text{EN: "Malaysia", ZH: "马来西亚"}},
	{"MV", Text{EN: "Maldives", ZH: "马尔代夫"}},
	{"ML", Text{EN: "Mali", ZH: "马里"}},
	{"MT", Text{EN: "Malta", ZH: "马耳他"}},
	{"MH", Text{EN: "Marshall Islands", ZH: "马绍尔群岛"}},
	{"MQ", Text{EN: "Martinique", ZH: "马提尼克"}},
	{"MR", Text{EN: "Mauritania", ZH: "毛里塔尼亚"}},
	{"MU", Text{EN: "Mauritius", ZH: "毛里求斯"}},
	{"YT", Text{EN: "Mayotte", ZH: "马约特"}},
	{"MX", Text{EN: "Mexico", ZH: "墨西哥"}},
	{"FM", Text{EN: "Micronesia", ZH: "密克罗尼西亚联邦"}},
	{"MD", Text{EN: "Moldova", ZH: "摩尔多瓦"}},
	{"MC", Text{EN: "Monaco", ZH: "摩纳哥"}},
	{"MN", Text{EN: "Mongolia", ZH: "蒙古"}},
	{"ME", Text{EN: "Montenegro", ZH: "黑山"}},
	{"MS", Text{EN: "Montserrat", ZH: "蒙特塞拉特"}},
	{"MA", Text{EN: "Morocco", ZH: "摩洛哥"}},
	{"MZ", Text{EN: "Mozambique", ZH: "莫桑比克"}},
	{"MM", Text{EN: "Myanmar", ZH: "缅甸"}},
	{"NA", Text{EN: "Namibia", ZH: "纳米比亚"}},
	{"NR", Text{EN: "Nauru", ZH: "瑙鲁"}},
	{"NP", Text{EN: "Nepal", ZH: "尼泊尔"}},
	{"NL", Text{EN: "Netherlands", ZH: "荷兰"}},
	{"NC", Text{EN: "New Caledonia", ZH: "新喀里多尼亚"}},
	{"NZ", Text{EN: "New Zealand", ZH: "新西兰"}},
	{"NI", Text{EN: "Nicaragua", ZH: "尼加拉瓜"}},
	{"NE", Text{EN: "Niger", ZH: "尼日尔"}},
	{"NG", Text{EN: "Nigeria", ZH: "尼日利亚"}},
	{"NU", Text{EN: "Niue", ZH: "纽埃"}},
	{"NF", Text{EN: "Norfolk Island", ZH: "诺福克岛"}},
	{"KP", Text{EN: "North Korea", ZH: "朝鲜"}},
	{"MK", Text{EN: "North Macedonia", ZH: "北马其顿"}},
	{"MP", Text{EN: "Northern Mariana Islands", ZH: "北马里亚纳群岛"}},
	{"NO", Text{EN: "Norway", ZH: "挪威"}},
	{"OM", Text{EN: "Oman", ZH: "阿曼"}},
	{"PK", Text{EN: "Pakistan", ZH: "巴基斯坦"}},
	{"PW", Text{EN: "Palau", ZH: "帕劳"}},
	{"PS", Text{EN: "Palestine", ZH: "巴勒斯坦"}},
	{"PA", Text{EN: "Panama", ZH: "巴拿马"}},
	{"PG", Text{EN: "Papua New Guinea", ZH: "巴布亚新几内亚"}},
	{"PY", Text{EN: "Paraguay", ZH: "巴拉圭"}},
	{"PE", Text{EN: "Peru", ZH: "秘鲁"}},
	{"PH", Text{EN: "Philippines", ZH: "菲律宾"}},
	{"PN", Text{EN: "Pitcairn Islands", ZH: "皮特凯恩群岛"}},
	{"PL", Text{EN: "Poland", ZH: "波兰"}},
	{"PT", Text{EN: "Portugal", ZH: "葡萄牙"}},
	{"PR", Text{EN: "Puerto Rico", ZH: "波多黎各"}},
	{"QA", Text{EN: "Qatar", ZH: "卡塔尔"}},
	{"RE", Text{EN: "Réunion", ZH: "留尼汪"}},
	{"RO", Text{EN: "Romania", ZH: "罗马尼亚"}},
	{"RU", Text{EN: "Russia", ZH: "俄罗斯"}},
	{"RW", Text{EN: "Rwanda", ZH: "卢旺达"}},
	{"BL", Text{EN: "Saint Barthélemy", ZH: "圣巴泰勒米"}},
	{"SH", Text{EN: "Saint Helena, Ascension and Tristan da Cunha", ZH: "圣赫勒拿、阿森松和特里斯坦-达库尼亚"}},
	{"KN", Text{EN: "Saint Kitts and Nevis", ZH: "圣基茨和尼维斯"}},
	{"LC", Text{EN: "Saint Lucia", ZH: "圣卢西亚"}},
	{"MF", Text{EN: "Saint Martin (French part)", ZH: "法属圣马丁"}},
	{"PM", Text{EN: "Saint Pierre and Miquelon", ZH: "圣皮埃尔和密克隆群岛"}},
	{"VC", Text{EN: "Saint Vincent and the Grenadines", ZH: "圣文森特和格林纳丁斯"}},
	{"WS", Text{EN: "Samoa", ZH: "萨摩亚"}},
	{"SM", Text{EN: "San Marino", ZH: "圣马力诺"}},
	{"ST", Text{EN: "São Tomé and Príncipe", ZH: "圣多美和普林西比"}},
	{"SA", Text{EN: "Saudi Arabia", ZH: "沙特阿拉伯"}},
	{"SN", Text{EN: "Senegal", ZH: "塞内加尔"}},
	{"RS", Text{EN: "Serbia", ZH: "塞尔维亚"}},
	{"SC", Text{EN: "Seychelles", ZH: "塞舌尔"}},
	{"SL", Text{EN: "Sierra Leone", ZH: "塞拉利昂"}},
	{"SG", Text{EN: "Singapore", ZH: "新加坡"}},
	{"SX", Text{EN: "Sint Maarten (Dutch part)", ZH: "荷属圣马丁"}},
	{"SK", Text{EN: "Slovakia", ZH: "斯洛伐克"}},
	{"SI", Text{EN: "Slovenia", ZH: "斯洛文尼亚"}},
	{"SB", Text{EN: "Solomon Islands", ZH: "所罗门群岛"}},
	{"SO", Text{EN: "Somalia", ZH: "索马里"}},
	{"ZA", Text{EN: "South Africa", ZH: "南非"}},
	{"GS", Text{EN: "South Georgia and the South Sandwich Islands", ZH: "南乔治亚和南桑威奇群岛"}},
	{"KR", Text{EN: "South Korea", ZH: "韩国"}},
	{"SS", Text{EN: "South Sudan", ZH: "南苏丹"}},
	{"ES", Text{EN: "Spain", ZH: "西班牙"}},
	{"LK", Text{EN: "Sri Lanka", ZH: "斯里兰卡"}},
	{"SD", Text{EN: "Sudan", ZH: "苏丹"}},
	{"SR", Text{EN: "Suriname", ZH: "苏里南"}},
	{"SJ", Text{EN: "Svalbard and Jan Mayen", ZH: "斯瓦尔巴和扬马延"}},
	{"SE", Text{EN: "Sweden", ZH: "瑞典"}},
	{"CH", Text{EN: "Switzerland", ZH: "瑞士"}},
	{"SY", Text{EN: "Syria", ZH: "叙利亚"}},
	{"TW", Text{EN: "Taiwan", ZH: "台湾"}},
	{"TJ", Text{EN: "Tajikistan", ZH: "塔吉克斯坦"}},
	{"TZ", Text{EN: "Tanzania", ZH: "坦桑尼亚"}},
	{"TH", Text{EN: "Thailand", ZH: "泰国"}},
	{"TL", Text{EN: "Timor-Leste", ZH: "东帝汶"}},
	{"TG", Text{EN: "Togo", ZH: "多哥"}},
	{"TK", Text{EN: "Tokelau", ZH: "托克劳"}},
	{"TO", Text{EN: "Tonga", ZH: "汤加"}},
	{"TT", Text{EN: "Trinidad and Tobago", ZH: "特立尼达和多巴哥"}},
	{"TN", Text{EN: "Tunisia", ZH: "突尼斯"}},
	{"TR", Text{EN: "Turkey (Türkiye)", ZH: "土耳其"}},
	{"TM", Text{EN: "Turkmenistan", ZH: "土库曼斯坦"}},
	{"TC", Text{EN: "Turks and Caicos Islands", ZH: "特克斯和凯科斯群岛"}},
	{"TV", Text{EN: "Tuvalu", ZH: "图瓦卢"}},
	{"UG", Text{EN: "Uganda", ZH: "乌干达"}},
	{"UA", Text{EN: "Ukraine", ZH: "乌克兰"}},
	{"AE", Text{EN: "United Arab Emirates", ZH: "阿拉伯联合酋长国"}},
	{"GB", Text{EN: "United Kingdom", ZH: "英国"}},
	{"US", Text{EN: "United States", ZH: "美国"}},
	{"UM", Text{EN: "United States Minor Outlying Islands", ZH: "美国本土外小岛屿"}},
	{"VI", Text{EN: "United States Virgin Islands", ZH: "美属维尔京群岛"}},
	{"UY", Text{EN: "Uruguay", ZH: "乌拉圭"}},
	{"UZ", Text{EN: "Uzbekistan", ZH: "乌兹别克斯坦"}},
	{"VU", Text{EN: "Vanuatu", ZH: "瓦努阿图"}},
	{"VA", Text{EN: "Vatican City", ZH: "梵蒂冈"}},
	{"VE", Text{EN: "Venezuela", ZH: "委内瑞拉"}},
	{"VN", Text{EN: "Vietnam", ZH: "越南"}},
	{"WF", Text{EN: "Wallis and Futuna", ZH: "瓦利斯和富图纳"}},
	{"EH", Text{EN: "Western Sahara", ZH: "西撒哈拉"}},
	{"YE", Text{EN: "Yemen", ZH: "也门"}},
	{"ZM", Text{EN: "Zambia", ZH: "赞比亚"}},
	{"ZW", Text{EN: "Zimbabwe", ZH: "津巴布韦"}},
}

// countryOrderZH lists the codes of countries in the pinyin order of their
// Chinese names (the CLDR collation of zh-Hans), which is how a Chinese
// reader expects a list of countries to be sorted. A test checks it against
// golang.org/x/text/collate.
const countryOrderZH = "AL DZ AF AR AE AW OM AZ EG ET IE EE AD AO AI AG AT AX AU MO BB PG BS PK " +
	"PY PS BH PA BR BY BM BG MP MK BJ BE IS PR PL BA BO BZ BW BT BF BI BV KP " +
	"GQ DK DE TL TG DO DM RU EC ER FR FO PF GF TF MF VA PH FJ FI CV FK GM CG " +
	"CD CO CR GD GL GE GG CU GP GU GY KZ HT KR NL BQ SX HM ME HN KI DJ KG GN " +
	"GW CA GH GA KH CZ ZW CM QA KY CC KM CI KW HR KE CK CW LV LS LA LB LT LR " +
	"LY LI RE LU RW RO MG IM MV MT MW MY ML MH MQ YT MU MR US UM AS VI MN MS " +
	"BD PE FM MM MD MA MC MZ MX NA ZA AQ GS SS NR NI NP NE NG NU NO NF PW PN " +
	"PT JP SE CH SV WS RS SL SN CY SC SA BL CX ST SH KN LC SM PM VC LK SK SI " +
	"SJ SZ SD SR SB SO TJ TW TH TZ TO TC TT TN TV TR TM TK WF VU GT VE BN UG " +
	"UA UY UZ GR ES EH HK SG NC NZ HU SY JM AM YE IQ IR IL IT IN ID GB VG IO " +
	"JO VN ZM JE TD GI CL CF CN"

// countryAliases are other names sources commonly type for a country, in
// the normalized form of countryKey.
var countryAliases = map[string]string{
	"prc": "CN", "mainland china": "CN", "people's republic of china": "CN", "中国大陆": "CN", "中华人民共和国": "CN", "大陆": "CN",
	"hong kong sar": "HK", "hongkong": "HK", "中国香港": "HK", "香港特别行政区": "HK", "中国香港特别行政区": "HK",
	"macau": "MO", "中国澳门": "MO", "澳门特别行政区": "MO", "中国澳门特别行政区": "MO",
	"中国台湾": "TW", "台湾地区": "TW", "臺灣": "TW", "台灣": "TW",
	"usa": "US", "u.s.": "US", "u.s.a.": "US", "united states of america": "US", "美利坚合众国": "US",
	"uk": "GB", "great britain": "GB", "britain": "GB", "england": "GB",
	"uae": "AE", "阿联酋": "AE",
	"republic of korea": "KR", "南韩": "KR", "dprk": "KP", "北韩": "KP",
	"russian federation": "RU", "viet nam": "VN", "türkiye": "TR", "turkey": "TR", "turkiye": "TR",
	"holland": "NL", "the netherlands": "NL", "czech republic": "CZ", "burma": "MM",
	"ivory coast": "CI", "cape verde": "CV", "swaziland": "SZ", "埃斯瓦蒂尼": "SZ", "macedonia": "MK", "马其顿": "MK",
	"laos pdr": "LA", "lao pdr": "LA", "brunei darussalam": "BN", "syrian arab republic": "SY",
	"iran, islamic republic of": "IR", "moldova, republic of": "MD", "tanzania, united republic of": "TZ",
}

// countryByCode finds a country by its alpha-2 code.
var countryByCode = func() map[string]CountryOption {
	m := make(map[string]CountryOption, len(countries))
	for _, c := range countries {
		m[c.Code] = c
	}
	return m
}()

// countryByName finds a country by code, English or Chinese name, or alias,
// in the normalized form of countryKey.
var countryByName = func() map[string]string {
	m := make(map[string]string, 4*len(countries)+len(countryAliases))
	for _, c := range countries {
		m[countryKey(c.Code)] = c.Code
		for _, name := range c.Name {
			m[countryKey(name)] = c.Code
		}
	}
	for alias, code := range countryAliases {
		m[countryKey(alias)] = code
	}
	return m
}()

// countriesZH is countries in countryOrderZH.
var countriesZH = func() []CountryOption {
	codes := strings.Fields(countryOrderZH)
	out := make([]CountryOption, 0, len(codes))
	for _, code := range codes {
		out = append(out, countryByCode[code])
	}
	return out
}()

// countriesIn returns every country sorted for readers of l.
func countriesIn(l Lang) []CountryOption {
	if l == ZH {
		return countriesZH
	}
	return countries
}

// countryKey normalizes a typed country name for lookup: case, width,
// surrounding and repeated spaces.
func countryKey(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(foldWidth(s))), " ")
}

// matchCountry returns the code of the country s names, if any.
func matchCountry(s string) (string, bool) {
	code, ok := countryByName[countryKey(s)]
	return code, ok
}
