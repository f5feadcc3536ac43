package demo

// Word lists the generator draws names from. They are read-only; every
// draw goes through the caller's seeded generator, so the same seed gives
// the same names.

// weighted repeats each word by its weight so that a uniform draw from the
// result follows the weights. Pairs are word, weight.
func weighted(pairs ...any) []string {
	var out []string
	for i := 0; i+1 < len(pairs); i += 2 {
		for range pairs[i+1].(int) {
			out = append(out, pairs[i].(string))
		}
	}
	return out
}

// surnames follow the national frequencies roughly, with the names common
// in Tianshui (马, 牛, 蒲, 巩, 汪, 裴) given more weight.
var surnames = weighted(
	"王", 18, "李", 17, "张", 15, "刘", 11, "杨", 10, "陈", 7, "赵", 7, "马", 7,
	"周", 4, "孙", 4, "胡", 4, "高", 4, "何", 4, "郭", 5, "罗", 3, "牛", 3,
	"吴", 3, "徐", 3, "朱", 3, "黄", 3, "林", 2, "梁", 2, "宋", 3, "郑", 2,
	"谢", 2, "韩", 3, "唐", 2, "冯", 3, "董", 3, "程", 2, "曹", 3, "袁", 2,
	"邓", 2, "许", 2, "苏", 2, "吕", 2, "蒋", 2, "贾", 3, "丁", 2, "魏", 3,
	"薛", 2, "闫", 3, "潘", 2, "杜", 3, "汪", 3, "田", 3, "任", 3, "姜", 2,
	"范", 2, "石", 2, "姚", 2, "雷", 2, "史", 2, "侯", 2, "孟", 2, "段", 2,
	"白", 2, "崔", 2, "康", 2, "毛", 2, "秦", 2, "常", 2, "武", 2, "乔", 2,
	"蒲", 3, "巩", 2, "裴", 2, "安", 2, "柴", 1, "尹", 1, "文", 1, "金", 1,
	"夏", 1, "邱", 1, "温", 1, "万", 1, "钱", 1, "付", 2, "卢", 1, "祁", 1,
)

// Given names by sex and birth cohort: names follow fashions, and a roster
// where a child of 2020 is called 桂兰 looks wrong to anyone who reads it.
var (
	givenMaleOld = []string{
		"建国", "国庆", "志刚", "德明", "福贵", "玉成", "宝山", "永福", "长生", "振华",
		"文忠", "进财", "守仁", "世杰", "发荣", "有才", "正义", "天福", "国栋", "满仓",
		"文", "武", "忠", "福", "德", "贵", "明", "祥", "生", "海",
	}
	givenFemaleOld = []string{
		"秀英", "桂兰", "玉兰", "凤英", "秀兰", "桂英", "淑珍", "玉珍", "翠花", "兰英",
		"金花", "秀珍", "彩霞", "桂芳", "春梅", "淑英", "玉梅", "凤兰", "素珍", "月英",
		"兰", "英", "梅", "珍", "芳", "凤", "霞", "莲", "花", "琴",
	}
	givenMaleMid = []string{
		"建军", "建华", "志强", "海涛", "红军", "卫东", "立新", "国强", "小平", "文斌",
		"晓东", "建平", "振宇", "东升", "亚军", "永强", "宏伟", "俊峰", "继红", "向东",
		"伟", "勇", "军", "斌", "鹏", "刚", "涛", "明", "磊", "峰",
	}
	givenFemaleMid = []string{
		"丽娟", "红梅", "海燕", "秀梅", "晓燕", "小红", "丽萍", "春燕", "亚萍", "玉霞",
		"卫红", "爱华", "丽华", "晓红", "艳萍", "淑芳", "美玲", "雪梅", "小琴", "红霞",
		"丽", "芳", "红", "霞", "艳", "静", "敏", "慧", "燕", "娟",
	}
	givenMaleYoung = []string{
		"鹏飞", "宇航", "俊杰", "家豪", "天宇", "文博", "志远", "旭东", "嘉伟", "晓阳",
		"浩", "鑫", "磊", "超", "杰", "晨", "博", "昊", "凯", "航",
		"子豪", "明轩", "一帆", "振东", "思源", "伟杰", "佳乐", "泽宇", "志鹏", "少华",
	}
	givenFemaleYoung = []string{
		"静怡", "佳怡", "梦瑶", "思雨", "雅琪", "文静", "佳琪", "玉洁", "慧敏", "晓雪",
		"婷", "雪", "丹", "倩", "欣", "璐", "瑶", "蕾", "萌", "娜",
		"丹丹", "晶晶", "婷婷", "亚楠", "雨欣", "欣悦", "美琪", "佳慧", "梦洁", "馨月",
	}
	givenMaleChild = []string{
		"浩然", "梓轩", "宇轩", "子墨", "俊熙", "皓轩", "沐宸", "铭泽", "宇泽", "奕辰",
		"博文", "天佑", "思远", "浩宇", "梓睿", "景行", "承泽", "晨阳", "锦程", "子涵",
		"睿", "轩", "宸", "泽", "硕", "煜", "骁", "铭", "瑞", "锐",
	}
	givenFemaleChild = []string{
		"梓涵", "欣怡", "诗涵", "梓萱", "一诺", "雨桐", "可馨", "语嫣", "若汐", "子涵",
		"思琪", "雨涵", "紫涵", "梦琪", "依诺", "芷若", "安琪", "沐瑶", "诗琪", "钰涵",
		"婉清", "若曦", "悦彤", "心怡", "雨萱", "佳怡", "语桐", "欣妍", "可欣", "梓晴",
	}
)

// placeParts are the first halves of generated community and compound
// names, the kind of words Tianshui's streets and villages are named with.
// None of them starts a name the source document uses (罗玉, 自治, 枣园,
// 忠义), so generated names never collide with the named places.
var placeParts = []string{
	"泉湖", "藉河", "罗峪", "双桥", "东团", "坚家", "瓦窑", "石马", "岷山", "天靖",
	"莲亭", "尚义", "澄源", "飞将", "伏羲", "环城", "解放", "民主", "建设", "青年",
	"人民", "光明", "合作", "团结", "和平", "春风", "七里", "烟铺", "暖和", "吕家",
	"王家", "十里", "皇城", "大众", "进步", "成纪", "羲皇", "南郭", "玉泉", "北关",
	"南湖", "东桥", "西桥", "赤峪", "新华", "育生", "官泉", "砚房", "岷玉", "花牛",
	"桥南", "迎宾", "长开", "华西", "兴隆", "枣林", "柳园", "杏园", "桃园", "梨园",
	"槐树", "龙园", "凤凰", "金城", "秀园", "孙家", "李家", "赵家", "马跑", "天河",
	"瀛池", "西团", "北园", "广场", "文化", "忠武", "中山", "人和", "永庆", "嘉禾",
}

// communitySuffixes end community names before "社区".
var communitySuffixes = []string{"新村", "巷", "路", "里", "坪", "湾", "街", ""}

// compoundSuffixes end the names of apartment compounds.
var compoundSuffixes = []string{
	"小区", "家园", "花园", "新村", "苑", "公寓", "嘉园", "华庭", "雅居", "佳苑",
	"花园小区", "新村小区",
}

// employers name the 家属院 (staff housing of a work unit) that make up
// much of an old city's compounds.
var employers = []string{
	"林业局", "供电局", "粮食局", "邮电局", "电信局", "水泥厂", "纺织厂", "锻压厂",
	"第二中学", "人民医院", "中医院", "铁路", "烟草公司", "建筑公司", "气象局", "水利局",
	"教育局", "工商局", "棉纺厂", "电工厂", "农机厂", "汽修厂", "印刷厂", "食品厂",
}

// villageGroups number the groups (组) of a village swallowed by the city,
// the self-built houses of the urban-rural fringe.
var villageGroups = []string{"一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组"}

// mobilePrefixes are the three-digit mobile prefixes numbers are drawn
// from (China Mobile, Unicom, Telecom).
var mobilePrefixes = []string{
	"130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
	"150", "151", "152", "153", "155", "156", "157", "158", "159",
	"180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
	"191", "193", "195", "198", "199",
}

// Region codes (the first six digits of an ID number). Natives are mostly
// registered in 秦州区; migrants come from the county towns around
// Tianshui, the rest of Gansu and the neighbouring provinces.
var (
	nativeRegions = weighted(
		"620502", 85, // 秦州区
		"620503", 10, // 麦积区
		"620521", 1, "620522", 1, "620523", 1, "620524", 1, "620525", 1, // 清水 秦安 甘谷 武山 张家川
	)
	migrantRegions = weighted(
		"620521", 8, "620522", 12, "620523", 12, "620524", 8, "620525", 8, // the counties of Tianshui
		"620503", 6, // 麦积区
		"620102", 4, "621102", 5, "620802", 4, "621202", 4, "620602", 3, // 兰州 定西 平凉 陇南 武威
		"610302", 4, "610402", 2, "410105", 2, "510107", 2, "640104", 2, "630102", 2, "612301", 2, // 宝鸡 咸阳 郑州 成都 银川 西宁 汉中
	)
)
