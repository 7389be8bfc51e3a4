package devseed

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/tipline/tipline/entities"
)

// Word lists for synthetic names in the export-control domain: companies
// with legal forms of China, Hong Kong, Singapore, the UAE and elsewhere,
// people in Chinese characters with their pinyin, chips and servers with
// their ECCNs, addresses in the transshipment hubs.
var (
	enPrefixes = []string{"Golden", "Pacific", "Gulf", "Eastern", "Silver", "Jade", "Harbour", "Orient", "Lion City", "Pearl River",
		"Crescent", "Falcon", "Emerald", "Summit", "Apex", "Bright", "Unity", "Blue Ocean", "Red Sea", "Great Wall",
		"Phoenix", "Dragon", "Star", "Horizon", "Vertex", "Nova", "Evergreen", "Sino", "Trans-Asia", "Meridian"}
	enCores = []string{"Star", "Rim", "Dragon", "Bridge", "Gate", "Link", "Wave", "Peak", "Way", "Port", "Crown", "Key", "Tech",
		"Chip", "Logic", "Data", "Compute", "Silicon", "Quantum", "Neural"}
	enIndustries = []string{"Logistics", "Trading", "General Trading", "Freight Forwarding", "Electronics", "Technology", "Semiconductor",
		"Supply Chain", "Import & Export", "Holdings", "Computing", "Components", "Shipping", "Investment", "Systems"}
	legalForms = []struct{ form, country string }{
		{"Pte. Ltd.", "SG"}, {"Pte Ltd", "SG"}, {"Limited", "HK"}, {"Company Limited", "HK"}, {"FZE", "AE"}, {"FZCO", "AE"},
		{"L.L.C.", "AE"}, {"Co., Ltd.", "CN"}, {"Sdn. Bhd.", "MY"}, {"Inc.", "US"}, {"LLC", "US"}, {"GmbH", "DE"}, {"Co., Ltd.", "TW"},
	}
	zhCities = []struct{ zh, pinyin, country string }{
		{"深圳市", "Shenzhen", "CN"}, {"上海", "Shanghai", "CN"}, {"北京", "Beijing", "CN"}, {"广州市", "Guangzhou", "CN"},
		{"香港", "Hong Kong", "HK"}, {"杭州", "Hangzhou", "CN"}, {"东莞市", "Dongguan", "CN"}, {"苏州", "Suzhou", "CN"},
		{"成都", "Chengdu", "CN"}, {"厦门", "Xiamen", "CN"},
	}
	zhBrands = []struct{ zh, pinyin string }{
		{"华芯", "Huaxin"}, {"恒达", "Hengda"}, {"鑫源", "Xinyuan"}, {"中科", "Zhongke"}, {"海通", "Haitong"}, {"天宇", "Tianyu"},
		{"瑞丰", "Ruifeng"}, {"金桥", "Jinqiao"}, {"宏图", "Hongtu"}, {"博远", "Boyuan"}, {"联创", "Lianchuang"}, {"新锐", "Xinrui"},
		{"星河", "Xinghe"}, {"云智", "Yunzhi"}, {"龙腾", "Longteng"}, {"汇丰", "Huifeng"}, {"远航", "Yuanhang"}, {"智算", "Zhisuan"},
	}
	zhIndustries = []struct{ zh, en string }{
		{"科技", "Technology"}, {"电子", "Electronics"}, {"国际贸易", "International Trading"}, {"贸易", "Trading"},
		{"供应链管理", "Supply Chain Management"}, {"半导体", "Semiconductor"}, {"信息技术", "Information Technology"}, {"物流", "Logistics"},
	}
	zhForms = []struct{ zh, en string }{
		{"有限公司", "Co., Ltd."}, {"股份有限公司", "Co., Ltd."}, {"集团有限公司", "Group Co., Ltd."}, {"有限责任公司", "Co., Ltd."},
	}
	zhSurnames = []struct{ zh, pinyin string }{
		{"王", "Wang"}, {"李", "Li"}, {"张", "Zhang"}, {"刘", "Liu"}, {"陈", "Chen"}, {"杨", "Yang"}, {"黄", "Huang"}, {"赵", "Zhao"},
		{"吴", "Wu"}, {"周", "Zhou"}, {"徐", "Xu"}, {"孙", "Sun"}, {"林", "Lin"}, {"郭", "Guo"}, {"何", "He"},
	}
	zhGiven = []struct{ zh, pinyin string }{
		{"伟", "Wei"}, {"芳", "Fang"}, {"娜", "Na"}, {"敏", "Min"}, {"静", "Jing"}, {"强", "Qiang"}, {"磊", "Lei"}, {"军", "Jun"},
		{"洋", "Yang"}, {"勇", "Yong"}, {"志明", "Zhiming"}, {"建华", "Jianhua"}, {"晓东", "Xiaodong"}, {"海燕", "Haiyan"},
		{"国强", "Guoqiang"}, {"丽华", "Lihua"}, {"俊杰", "Junjie"}, {"文博", "Wenbo"},
	}
	otherPeople = []struct{ first, last, country string }{
		{"Ahmed", "Al Mansouri", "AE"}, {"Rajesh", "Kumar", "SG"}, {"David", "Tan", "SG"}, {"Michael", "Wong", "HK"},
		{"Priya", "Nair", "SG"}, {"Omar", "Haddad", "AE"}, {"Daniel", "Lim", "MY"}, {"Sergei", "Volkov", "RU"},
		{"Kevin", "Chan", "HK"}, {"Fatima", "Rahman", "AE"}, {"John", "Miller", "US"}, {"Aisha", "Khan", "AE"},
	}
	products = []struct{ name, eccn string }{
		{"NVIDIA H100 SXM5 80GB", "3A090"}, {"NVIDIA H100 PCIe 80GB", "3A090"}, {"NVIDIA H20", "3A090"}, {"NVIDIA H800", "3A090"},
		{"NVIDIA A100 80GB", "3A090"}, {"NVIDIA A800", "3A090"}, {"NVIDIA H200 141GB", "3A090"}, {"NVIDIA B200", "3A090"},
		{"AMD Instinct MI300X", "3A090"}, {"AMD Instinct MI250X", "3A090"}, {"Supermicro SYS-821GE-TNHR (8x H100)", "4A090"},
		{"Dell PowerEdge XE9680", "4A090"}, {"HGX H100 8-GPU baseboard", "4A090"}, {"Inspur NF5688M7", "4A090"},
	}
	addresses = []struct{ text, country string }{
		{"Unit %d, %d/F, Kowloon Commerce Centre, 51 Kwai Cheong Road, Kwai Chung, Hong Kong", "HK"},
		{"Room %d, %d/F, Nathan Road, Mong Kok, Kowloon, Hong Kong", "HK"},
		{"%d Anson Road #%d-05, Singapore 079903", "SG"},
		{"%d Changi South Lane #%d-01, Singapore 486123", "SG"},
		{"Warehouse %d, Plot %d, Jebel Ali Free Zone, Dubai", "AE"},
		{"Office %d, Building %d, Dubai Airport Free Zone, Dubai", "AE"},
		{"深圳市福田区华强北路%d号%d楼", "CN"},
		{"%d Jalan Sultan Ismail, Level %d, Kuala Lumpur", "MY"},
	}
	labels = []string{"chips", "transshipment", "sanctions", "urgent", "relabelled cargo", "shell company", "cloud access"}
)

// name is a synthetic entity: its kind, canonical name, aliases,
// identifiers and countries.
type name struct {
	kind        entities.Kind
	name        string
	aliases     []string
	identifiers []entities.Identifier
	countries   []string
}

func pick[T any](r *rand.Rand, l []T) T { return l[r.IntN(len(l))] }

// newName makes a synthetic entity. Kinds follow what tips name
// most: organizations, then people, products, addresses and the rest.
func newName(r *rand.Rand) name {
	switch k := r.IntN(100); {
	case k < 25:
		return englishOrg(r)
	case k < 45:
		return chineseOrg(r)
	case k < 57:
		return chinesePerson(r)
	case k < 65:
		p := pick(r, otherPeople)
		return name{kind: entities.Person, name: p.first + " " + p.last, countries: []string{p.country}}
	case k < 75:
		p := pick(r, products)
		serial := fmt.Sprintf("%d%09d", 1320000+r.IntN(9999), r.IntN(1e9))
		return name{kind: entities.Product, name: p.name, identifiers: []entities.Identifier{{Type: "eccn", Value: p.eccn}, {Type: "serial", Value: serial}}}
	case k < 85:
		a := pick(r, addresses)
		return name{kind: entities.Address, name: fmt.Sprintf(a.text, 1+r.IntN(2000), 1+r.IntN(40)), countries: []string{a.country}}
	case k < 89:
		return name{kind: entities.Shipment, name: fmt.Sprintf("AWB %03d-%08d", 100+r.IntN(900), r.IntN(1e8)),
			identifiers: []entities.Identifier{{Type: "awb", Value: fmt.Sprintf("%03d-%08d", 100+r.IntN(900), r.IntN(1e8))}}}
	case k < 92:
		return name{kind: entities.Vessel, name: fmt.Sprintf("MV %s %s", pick(r, enPrefixes), pick(r, enCores)),
			identifiers: []entities.Identifier{{Type: "imo", Value: fmt.Sprintf("9%06d", r.IntN(1e6))}}}
	case k < 95:
		return name{kind: entities.Account, name: fmt.Sprintf("AE%02d 0331 %04d %04d %04d %03d", r.IntN(100), r.IntN(1e4), r.IntN(1e4), r.IntN(1e4), r.IntN(1e3)),
			identifiers: []entities.Identifier{{Type: "iban", Value: fmt.Sprintf("AE%020d", r.Int64N(1e18))}}, countries: []string{"AE"}}
	case k < 97:
		b := pick(r, zhBrands)
		return name{kind: entities.Domain, name: strings.ToLower(b.pinyin) + fmt.Sprintf("-%s%d.com", strings.ToLower(pick(r, enCores)), r.IntN(100))}
	case k < 99:
		b := pick(r, zhBrands)
		return name{kind: entities.Email, name: fmt.Sprintf("sales%d@%s-trade.com", r.IntN(100), strings.ToLower(b.pinyin))}
	}
	return name{kind: entities.Phone, name: fmt.Sprintf("+852 %04d %04d", 5000+r.IntN(5000), r.IntN(1e4)), countries: []string{"HK"}}
}

func englishOrg(r *rand.Rand) name {
	f := pick(r, legalForms)
	core := pick(r, enPrefixes) + " " + pick(r, enCores)
	n := name{kind: entities.Organization, name: core + " " + pick(r, enIndustries) + " " + f.form, countries: []string{f.country}}
	if r.IntN(3) == 0 {
		n.aliases = append(n.aliases, core+" "+f.form)
	}
	if r.IntN(4) == 0 {
		n.identifiers = []entities.Identifier{{Type: "registration", Value: fmt.Sprintf("20%02d%05d%c", 10+r.IntN(15), r.IntN(1e5), 'A'+rune(r.IntN(26)))}}
	}
	return n
}

func chineseOrg(r *rand.Rand) name {
	c, b, ind, f := pick(r, zhCities), pick(r, zhBrands), pick(r, zhIndustries), pick(r, zhForms)
	n := name{kind: entities.Organization, name: c.zh + b.zh + ind.zh + f.zh, countries: []string{c.country}}
	// The English name a company registers or trades under.
	n.aliases = append(n.aliases, c.pinyin+" "+b.pinyin+" "+ind.en+" "+f.en)
	if r.IntN(3) == 0 {
		n.aliases = append(n.aliases, b.pinyin+" "+ind.en)
	}
	if r.IntN(3) == 0 {
		n.identifiers = []entities.Identifier{{Type: "registration", Value: fmt.Sprintf("91%04d%012d", 4403+r.IntN(100), r.Int64N(1e12))}}
	}
	return n
}

func chinesePerson(r *rand.Rand) name {
	s, g := pick(r, zhSurnames), pick(r, zhGiven)
	return name{kind: entities.Person, name: s.zh + g.zh, aliases: []string{s.pinyin + " " + g.pinyin}, countries: []string{pick(r, []string{"CN", "HK", "SG"})}}
}
