#!/usr/bin/python3
"""Writes an outflow ledger (流出党员台账, CSV with BOM) of N valid rows for the
import benchmark: ledger_rows.py N > ledger.csv"""
import sys

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "秀兰", "志强", "海燕", "文斌", "丽", "俊峰", "红梅", "永刚", "晓军"]
CATEGORIES = ["农牧民", "下岗失业人员", "退役军人", "高校毕业生", "企业职工", "其他"]
PLACES = [("650102", "乌鲁木齐市天山区"), ("440305", "深圳市南山区"), ("654301", "阿勒泰市")]


def resident_id(region, birth, seq):
    body = f"{region}{birth}{seq:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def main():
    n = int(sys.argv[1])
    out = sys.stdout
    out.write("\ufeff富蕴县流出党员台账\r\n")
    out.write("序号,姓名,性别,身份证号,人员类别,入党时间,所在支部,流入地代码,流入地,外出时间,"
              "预计返回时间,工作单位,从事职业,现居住地址,联系电话,联络人\r\n")
    for i in range(n):
        year = 1960 + i % 40
        k = i // 40
        month, day, seq = 1 + k % 12, 1 + (k // 12) % 28, (k // 336) % 1000
        idn = resident_id("654322", f"{year}{month:02d}{day:02d}", seq)
        gender = "男" if int(idn[16]) % 2 else "女"
        code, place = PLACES[i % len(PLACES)]
        out.write(f"{i + 1},{SURNAMES[i % 20]}{GIVEN[i % 10]},{gender},{idn},{CATEGORIES[i % 6]},"
                  f"{year + 25}-07-01,第{1 + i % 12}支部,{code},{place},2026-0{1 + i % 9}-05,"
                  f"2027-0{1 + i % 9}-05,,务工,{place}新华路{i % 300}号,139{i:08d},王建国\r\n")


if __name__ == "__main__":
    main()
