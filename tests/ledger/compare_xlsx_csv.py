#!/usr/bin/python3
"""An independent reader of an exported ledger: openpyxl (Debian's python3-openpyxl)
reads the .xlsx, Python's csv module the .csv export of the same report; every
cell must show the same. Exit 0 when they agree, 1 with the differences listed.

  compare_xlsx_csv.py 流出党员台账.xlsx 流出党员台账.csv
"""
import csv
import datetime
import sys

import openpyxl


def shown(cell):
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, datetime.datetime):
        return v.date().isoformat()
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        if cell.number_format == "0.00":
            return f"{v:.2f}"
        return str(int(v)) if float(v).is_integer() else repr(v)
    return str(v)


def trimmed(row):
    row = list(row)
    while row and row[-1] == "":
        row.pop()
    return row


def unguarded(text):
    # The CSV-injection guard: a leading apostrophe before = + - @ tab CR.
    if len(text) >= 2 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def main():
    xlsx_path, csv_path = sys.argv[1], sys.argv[2]
    sheet = openpyxl.load_workbook(xlsx_path).active
    xlsx_rows = [trimmed(shown(c) for c in row) for row in sheet.iter_rows()]
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        csv_rows = [trimmed(unguarded(c) for c in row) for row in csv.reader(f)]
    differences = []
    if len(xlsx_rows) != len(csv_rows):
        differences.append(f"rows: xlsx {len(xlsx_rows)}, csv {len(csv_rows)}")
    for i, (a, b) in enumerate(zip(xlsx_rows, csv_rows), start=1):
        if a != b:
            differences.append(f"row {i}: xlsx {a!r} != csv {b!r}")
    cells = sum(len(r) for r in xlsx_rows)
    if differences:
        print("\n".join(differences))
        return 1
    print(f"same: {len(xlsx_rows)} rows, {cells} cells")
    return 0


if __name__ == "__main__":
    sys.exit(main())
