#!/usr/bin/python3
"""Makes the dirty-ledger corpus of tests/ledger/corpus (committed; rerun only to change it).

Each file is what county offices really send: merged header cells, trailing blank
rows, full-width digits and spaces, dates as 2026.3.5 / 2026年3月5日 / Excel
serial numbers, ID numbers stored as numbers or with a lowercase x, GB18030 CSV.
The expected dry-run report of each file is beside it (<file>.expected).
"""
import datetime
import os

import openpyxl
from openpyxl.styles import Alignment

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def resident_id(region, birth, seq):
    body = f"{region}{birth}{seq:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def outflow_xlsx():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "流出台账"
    heads = ["序号", "姓名", "性别", "身份证号码", "人员类别", "入党时间", "所在党支部", "流入地", None,
             "外出时间", "预计返回时间", "工作单位", "从事职业", "现居住地址", "联系电话", "联络人"]
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(heads))
    ws.cell(1, 1, "富蕴县流出党员台账（2026年）").alignment = Alignment(horizontal="center")
    for c, h in enumerate(heads, start=1):
        if h is None:
            continue
        ws.cell(2, c, h)
        if h == "流入地":
            ws.merge_cells(start_row=2, start_column=c, end_row=2, end_column=c + 1)
            ws.cell(3, c, "代码")
            ws.cell(3, c + 1, "名称")
        else:
            ws.merge_cells(start_row=2, start_column=c, end_row=3, end_column=c)
    d = datetime.datetime
    rows = [
        [1, "马晓军", "男", resident_id("654322", "19850312", 11), "农牧民", d(2008, 7, 1), "库额尔齐斯镇第一党支部",
         "650102", "乌鲁木齐市天山区", d(2026, 3, 5), d(2027, 3, 5), "新疆建工集团", "建筑工人", "光明路8号",
         13900000001, "王建国"],
        [2, "古丽娜尔", "女", int(resident_id("654322", "19880506", 2)), "高校毕业生", d(2012, 7, 1),
         "库额尔齐斯镇第一党支部", "650102", "乌鲁木齐市天山区", d(2026, 4, 1), d(2027, 4, 1), "", "教师",
         "解放北路12号", 13900000002, "王建国"],
        [3, "赵永刚", "男", resident_id("654322", "19790101", 57).lower(), "退役军人", d(2001, 7, 1),
         "吐尔洪乡党支部", "440305", "深圳市南山区", d(2026, 5, 20), d(2027, 5, 20), "南山科技园物业", "保安",
         "科技园南区3栋", 13900000003, "刘芳"],
        [4, "孙海燕", "女", resident_id("654322", "19900808", 24), "企业职工", d(2027, 1, 1), "吐尔洪乡党支部",
         "650102", "乌鲁木齐市天山区", d(2026, 6, 1), d(2027, 6, 1), "", "会计", "新华南路5号", 13900000004, "刘芳"],
        [5, "周建华", "男", resident_id("654322", "19760214", 35), "干部", d(1999, 7, 1), "吐尔洪乡党支部",
         "650102", "乌鲁木齐市天山区", d(2026, 6, 1), d(2027, 6, 1), "", "司机", "南湖路1号", 13900000005, "刘芳"],
        [6, "李　梅", "女", resident_id("654322", "19920909", 46), "农民", d(2015, 7, 1), "杜热镇党支部",
         "650102", "乌鲁木齐市天山区", d(2026, 7, 15), d(2027, 7, 15), "", "护工", "友好北路2号",
         "１３９ ０００ ０００６", "王建国"],
    ]
    for r, row in enumerate(rows, start=4):
        for c, v in enumerate(row, start=1):
            cell = ws.cell(r, c, v)
            if isinstance(v, datetime.datetime):
                cell.number_format = "yyyy/m/d"
    # Trailing rows a clerk left: empty strings, then a signature line.
    for r in range(10, 13):
        ws.cell(r, 2, "")
    ws.cell(14, 1, "填表人：王建国　　审核人：张立新")
    wb.save(os.path.join(HERE, "01_流出_合并表头_数字身份证.xlsx"))


def outflow_csv(preregistered):
    header = "姓名,性别,出生年份,身份证号,人员类别,入党时间,所在支部,流入地代码,流入地,外出时间,预计返回时间,工作单位,从事职业,现居住地址,联系电话,联络人,活动证号"
    here_id = resident_id("654322", "19800101", 71)
    away_id = resident_id("654322", "19810202", 82)
    preregistered.append(("654322", "吴国庆", here_id))
    preregistered.append(("650102", "郑秀兰", away_id))
    good = resident_id("654322", "19870707", 12)
    bad = resident_id("654322", "19830303", 23)
    bad = bad[:17] + ("0" if bad[17] != "0" else "1")
    rows = [
        f'阿依古丽·努尔兰,女,1987,{good},农民,2010.7.1,杜热镇党支部,650102,乌鲁木齐市天山区,2026.3.5,2027.3.5,"天山区""阳光""家政公司",家政,"新华路8号，\n金山大厦12楼",13900000011,王建国,',
        f'陈　立,男,1978,{resident_id("654322", "19780417", 31)},下岗职工,2003年7月1日,杜热镇党支部,,阿勒泰市,2026年3月5日,2026年12月31日,,个体经营,阿勒泰市解放路3号,139-0000-0012,王建国,HD2026001',
        f'刘红梅,女,1983,{bad},农民,2006.7.1,杜热镇党支部,650102,乌鲁木齐市天山区,2026.3.5,2027.3.5,,务工,新华路9号,13900000013,王建国,',
        f'杨俊峰,男,1990,{resident_id("654322", "19900115", 15)},高校毕业生,2014.6.1,杜热镇党支部,999999,,2026.2.30,2027.3.5,,程序员,某地,13900000014,王建国,',
        f'阿依古丽·努尔兰,女,1987,{good},农民,2010.7.1,杜热镇党支部,650102,乌鲁木齐市天山区,2026.3.5,2027.3.5,,家政,新华路8号,13900000011,王建国,',
        f'吴国庆,男,1980,{here_id},农民,2004.7.1,杜热镇党支部,650102,乌鲁木齐市天山区,2026.3.5,2027.3.5,,务工,新华路10号,13900000016,王建国,',
        f'郑秀兰,女,1981,{away_id},农民,2005.7.1,杜热镇党支部,650102,乌鲁木齐市天山区,2026.3.5,2027.3.5,,务工,新华路11号,13900000017,王建国,',
        f'黄志强,女,1975,{resident_id("654322", "19860606", 19)},农民,2009.7.1,杜热镇党支部,650102,乌鲁木齐市天山区,2026.3.5,2027.3.5,,务工,新华路12号,13900000018,王建国,',
        f'马文斌,男,1984,{resident_id("654322", "19840404", 39)},退休人员,2002.7.1,杜热镇党支部,650102,乌鲁木齐市天山区,46086,2027.3.5,,务工,新华路13号,13900000019,王建国,',
    ]
    text = "\ufeff" + header + "\r\n" + "\r\n".join(rows) + "\r\n" + ",,,,,,,,,,,,,,,,\r\n" * 2
    with open(os.path.join(HERE, "02_流出_各种日期.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(text)


def inflow_gb18030():
    header = "序号,姓名,身份证号,性别,人员类别,入党时间,流出地,原所在支部,现所在支部,到达时间,联系电话,联系人,活动证号"
    rows = [
        f'1,何小兵,{resident_id("510722", "19860303", 17)},男,农民工,2010-07-01,三台县,三台县石安镇党支部,天山区流动党员党支部,2026-04-10,13800000021,李梅,SC2026-17',
        f'2,木合塔尔,{resident_id("654322", "19880808", 27)},男,农牧民,2012-07-01,富蕴县,杜热镇党支部,天山区流动党员党支部,2026-04-11,13800000022,李梅,',
        f'3,王淑芬,510722860303002,女,农民,2010-07-01,三台县,三台县石安镇党支部,天山区流动党员党支部,2026-04-12,13800000023,李梅,',
        f'4,张德明,6.54322E+17,男,农民,2010-07-01,三台县,三台县石安镇党支部,天山区流动党员党支部,2026-04-13,13800000024,李梅,',
        f'5,罗大军,{resident_id("510722", "19800505", 37)},男,农民,2005-07-01,某某县,某某镇党支部,天山区流动党员党支部,2026-04-14,13800000025,李梅,',
        f'6,彭丽,{resident_id("510722", "19910101", 48)},女,企业员工,2016-07-01,三台县,三台县石安镇党支部,天山区流动党员党支部,2026/13/01,13800000026,李梅,',
    ]
    text = header + "\r\n" + "\r\n".join(rows) + "\r\n"
    with open(os.path.join(HERE, "03_流入_GB18030.csv"), "wb") as f:
        f.write(text.encode("gb18030"))


def main():
    preregistered = []
    outflow_xlsx()
    outflow_csv(preregistered)
    inflow_gb18030()
    with open(os.path.join(HERE, "preregistered.tsv"), "w", encoding="utf-8") as f:
        f.write("# county\tname\tID number: registered before the dry runs (the duplicate rows)\n")
        for county, name, idn in preregistered:
            f.write(f"{county}\t{name}\t{idn}\n")


if __name__ == "__main__":
    main()
