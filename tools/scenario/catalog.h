// The words the scenario generator draws from: names, places (GB/T 2260 codes
// with their names), branches, addresses, occupations, certificate entries.
// Data only; the generator picks with its seeded Rng.
//
//   const Place& fuyun = kFuyun;             // 654322 富蕴县
//   absl::string_view township = fuyun.districts[2];
#ifndef LIANXIN_TOOLS_SCENARIO_CATALOG_H_
#define LIANXIN_TOOLS_SCENARIO_CATALOG_H_

#include <span>

#include "absl/strings/string_view.h"

namespace lianxin::scenario {

// Lists of Chinese words: clang-format aligns them by bytes, not by width.
// clang-format off

// ============================================================================
// Names
// ============================================================================

// Common Han surnames.
inline constexpr absl::string_view kSurnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
    "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯",
    "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜",
    "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭",
    "陆", "汪", "范", "金", "石", "廖", "贾", "夏", "付", "方", "白", "邹", "孟", "熊",
    "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "贺", "顾",
    "毛", "郝", "龚", "邵", "万", "钱", "严", "武", "戴", "孔", "向", "汤", "欧阳", "司马"};

inline constexpr absl::string_view kMaleGivenNames[] = {
    "建国", "志强", "海军", "伟",   "磊",   "军",   "勇",   "涛",   "明",   "超",
    "刚",   "平",   "辉",   "鹏",   "斌",   "宏伟", "俊杰", "浩然", "子豪", "晓东",
    "文博", "德明", "玉林", "长青", "永福", "国庆", "卫东", "振华", "新民", "立新",
    "建军", "红旗", "世杰", "家豪", "宇航", "天佑", "泽宇", "思远", "博文", "一鸣"};

inline constexpr absl::string_view kFemaleGivenNames[] = {
    "丽",   "芳",   "娜",   "敏",   "静",   "秀英", "桂兰", "玉兰", "海燕", "雪梅",
    "晓燕", "丽娟", "婷婷", "欣怡", "佳琪", "春花", "红梅", "淑珍", "美玲", "翠兰",
    "凤英", "秀珍", "文静", "雨欣", "梦瑶", "思琪", "子涵", "诗雨", "慧敏", "晓霞"};

// Kazakh names as written in Chinese (given name·father's name): most of
// Fuyun's people are Kazakh.
inline constexpr absl::string_view kKazakhMaleNames[] = {
    "努尔兰", "叶尔兰", "哈那提", "加尔肯", "别克波拉提", "阿斯哈尔", "达吾列提",
    "吐尔逊", "马合沙提", "叶尔波拉提", "库尔曼别克", "赛力克", "阿依登", "叶尔江"};
inline constexpr absl::string_view kKazakhFemaleNames[] = {
    "阿依古丽", "古丽娜尔", "加娜尔", "玛丽亚", "阿娜尔古丽", "古丽米拉", "沙吾列",
    "阿依努尔", "再娜甫", "巴合提古丽"};
inline constexpr absl::string_view kKazakhFatherNames[] = {
    "哈木提", "吐尔逊", "别克", "加肯", "努尔太", "阿合买提", "卡德尔",
    "塔布斯", "沙依拉吾", "木拉提", "叶尔肯", "胡安"};

// ============================================================================
// Places
// ============================================================================

// A county (GB/T 2260 code) and what the scenario needs of it.
struct Place {
  absl::string_view code;
  // Readable name, e.g. "乌鲁木齐市天山区".
  absl::string_view name;
  // Townships or streets (乡镇 / 街道), for branches.
  std::span<const absl::string_view> districts;
  // Roads or sites, for addresses ("<name><site><n>号").
  std::span<const absl::string_view> sites;
  // Share of Kazakh names among its people, in percent.
  int kazakh_percent = 0;
};

// Fuyun's townships (乡镇): its home branches and its nine township stations.
inline constexpr absl::string_view kFuyunTownships[] = {
    "库额尔齐斯镇", "可可托海镇",     "恰库尔图镇", "喀拉通克乡",   "杜热镇",
    "吐尔洪乡",     "克孜勒希力克乡", "铁买克乡",   "喀拉布勒根乡"};
inline constexpr absl::string_view kFuyunSites[] = {
    "库额尔齐斯镇人民路", "库额尔齐斯镇文化路", "库额尔齐斯镇团结路",
    "喀拉通克乡矿区生活区", "可可托海镇矿区路", "杜热镇工业园区路",
    "恰库尔图镇幸福路",   "吐尔洪乡政府街"};
// Where members arriving in Fuyun are received: the service centre, the nine
// township stations and the two enterprise stations (survey: 1 / 9 / 2).
inline constexpr absl::string_view kFuyunInflowBranches[] = {
    "富蕴县流动党员服务中心党支部",
    "库额尔齐斯镇流动党员服务站党支部",
    "可可托海镇流动党员服务站党支部",
    "恰库尔图镇流动党员服务站党支部",
    "喀拉通克乡流动党员服务站党支部",
    "杜热镇流动党员服务站党支部",
    "吐尔洪乡流动党员服务站党支部",
    "克孜勒希力克乡流动党员服务站党支部",
    "铁买克乡流动党员服务站党支部",
    "喀拉布勒根乡流动党员服务站党支部",
    "喀拉通克矿业企业流动党员服务站党支部",
    "富蕴县工业园区企业流动党员服务站党支部"};

inline constexpr absl::string_view kTianshanStreets[] = {
    "燕儿窝街道", "胜利路街道", "团结路街道", "解放南路街道", "新华南路街道",
    "和平路街道", "幸福路街道", "碱泉街街道", "东门街道",     "青年路街道"};
inline constexpr absl::string_view kTianshanSites[] = {
    "解放南路", "新华南路", "中山路", "光明路", "胜利路", "团结路", "延安路", "建设路"};

inline constexpr absl::string_view kNanshanStreets[] = {
    "南头街道", "南山街道", "沙河街道", "蛇口街道", "招商街道", "粤海街道", "桃源街道",
    "西丽街道"};
inline constexpr absl::string_view kNanshanSites[] = {
    "深南大道", "科技园南路", "南海大道", "沙河西路", "蛇口工业三路", "学府路", "留仙大道"};

inline constexpr Place kFuyun{"654322", "富蕴县", kFuyunTownships, kFuyunSites, 55};
inline constexpr Place kTianshan{"650102", "乌鲁木齐市天山区", kTianshanStreets,
                                 kTianshanSites, 15};
inline constexpr Place kNanshan{"440305", "深圳市南山区", kNanshanStreets, kNanshanSites, 0};

// Generic sites for places off lianxin.
inline constexpr absl::string_view kTownSites[] = {"人民路", "建设路", "解放路", "新华路",
                                                  "和平路", "胜利路", "文化路"};
inline constexpr absl::string_view kTownDistricts[] = {"城关镇", "新城街道", "南关镇",
                                                      "东城街道", "西关镇"};
// Mining and plant sites along the mountains of the region.
inline constexpr absl::string_view kMineSites[] = {"矿区生活区", "选矿厂宿舍区",
                                                  "工业园区职工公寓", "矿区一号营地"};

// Inland destinations off lianxin (Fuyun's members work or live there).
inline constexpr Place kInlandDestinations[] = {
    {"330106", "杭州市西湖区", kTownDistricts, kTownSites, 0},
    {"320505", "苏州市虎丘区", kTownDistricts, kTownSites, 0},
    {"310115", "上海市浦东新区", kTownDistricts, kTownSites, 0},
    {"110105", "北京市朝阳区", kTownDistricts, kTownSites, 0},
    {"510107", "成都市武侯区", kTownDistricts, kTownSites, 0},
    {"440106", "广州市天河区", kTownDistricts, kTownSites, 0},
    {"370212", "青岛市崂山区", kTownDistricts, kTownSites, 0},
    {"610113", "西安市雁塔区", kTownDistricts, kTownSites, 0}};

// The mines and plants of the region, off lianxin (other Altay counties, Fukang).
inline constexpr Place kRegionMines[] = {
    {"654301", "阿勒泰市", kTownDistricts, kMineSites, 50},
    {"654321", "布尔津县", kTownDistricts, kMineSites, 50},
    {"654324", "哈巴河县", kTownDistricts, kMineSites, 50},
    {"654325", "青河县", kTownDistricts, kMineSites, 50},
    {"652302", "阜康市", kTownDistricts, kMineSites, 10}};

// Origins off lianxin of the members working in Fuyun: the provinces that send
// workers to the mines, and the region itself.
inline constexpr Place kInflowOrigins[] = {
    {"510722", "三台县", kTownDistricts, kTownSites, 0},
    {"511621", "岳池县", kTownDistricts, kTownSites, 0},
    {"511321", "南部县", kTownDistricts, kTownSites, 0},
    {"510623", "中江县", kTownDistricts, kTownSites, 0},
    {"620521", "清水县", kTownDistricts, kTownSites, 0},
    {"621121", "通渭县", kTownDistricts, kTownSites, 0},
    {"620421", "靖远县", kTownDistricts, kTownSites, 0},
    {"411522", "光山县", kTownDistricts, kTownSites, 0},
    {"411723", "平舆县", kTownDistricts, kTownSites, 0},
    {"500235", "云阳县", kTownDistricts, kTownSites, 0},
    {"500236", "奉节县", kTownDistricts, kTownSites, 0},
    {"371321", "沂南县", kTownDistricts, kTownSites, 0},
    {"130423", "临漳县", kTownDistricts, kTownSites, 0},
    {"652301", "昌吉市", kTownDistricts, kTownSites, 10},
    {"654002", "伊宁市", kTownDistricts, kTownSites, 20},
    {"654301", "阿勒泰市", kTownDistricts, kTownSites, 50},
    {"654325", "青河县", kTownDistricts, kTownSites, 60},
    {"654326", "吉木乃县", kTownDistricts, kTownSites, 60}};

// ============================================================================
// Work and organization life
// ============================================================================

inline constexpr absl::string_view kSeasonalFarmWork[] = {
    "季节性务工（棉花采摘）", "季节性务工（建筑工地）", "季节性务工（农产品加工）",
    "牧业雇工"};
inline constexpr absl::string_view kMineWork[] = {"井下采矿工", "矿山机修工", "选矿工",
                                                 "矿山安全员", "矿用卡车司机"};
inline constexpr absl::string_view kLaidOffWork[] = {"矿山机修工", "个体经营（餐饮）", "货车司机",
                                                    "电焊工", "物业维修工"};
inline constexpr absl::string_view kVeteranWork[] = {"保安队长", "物流司机", "矿山安全员",
                                                    "物业管理员", "应急救援队员"};
inline constexpr absl::string_view kGraduateWork[] = {"软件工程师", "中学教师", "会计",
                                                     "电商运营", "硬件测试工程师",
                                                     "西部计划志愿者"};
inline constexpr absl::string_view kRetireeWork[] = {"退休（随子女居住）", "退休（异地养老）"};
inline constexpr absl::string_view kEnterpriseWork[] = {"选矿工程师", "水电站运行值班员",
                                                       "矿山技术员", "设备维修工",
                                                       "矿山调度员"};

// Organization life recorded on the activity certificate at the destination.
inline constexpr absl::string_view kOrganizationLife[] = {
    "支部主题党日活动", "三会一课：支部党员大会", "专题组织生活会", "党课学习",
    "志愿服务活动",     "集中学习（法律法规）"};

// clang-format on

}  // namespace lianxin::scenario

#endif  // LIANXIN_TOOLS_SCENARIO_CATALOG_H_
