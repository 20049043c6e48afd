"""
parcel-summary: reads parcels of one county from the county tax portal, sums them up per
owner into an .xlsx workbook, and stores it at s3://<bucket>/reports/jobs/<process id>/parcel-summary.xlsx.

The portal has no list of a county's parcels: the job reads the parcels it is given
(`parcelIds`), or walks parcel numbers upward from `from` and keeps the first `limit` that
are in `county`. Either way the result depends only on the portal's data: pages are read
concurrently but taken in parcel-number order, and transient faults (5xx, 429, resets,
truncated or maintenance pages) are retried.

Environment: DROVER_PARAMS (the parameters), DROVER_PROCESS_ID, TAX_SOURCE_URL (the portal),
OUTPUT_BUCKET or else DROVER_BUCKET (where the workbook goes), AWS_ENDPOINT_URL (set locally:
the S3 emulator; unset on AWS).
"""
import http.client
import io
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from html.parser import HTMLParser
from itertools import islice

import boto3
from botocore.config import Config
from openpyxl import Workbook
from openpyxl.styles import Font

DEFAULT_FROM = "12-345-670"
DEFAULT_LIMIT = 25
# Walking parcel numbers, give up after this many pages per parcel wanted: a county the
# portal does not serve would otherwise be searched for ever.
PAGES_PER_PARCEL = 40
THREADS = 8
# Pages read ahead of the one the walk is at, so that a slow page holds up no other.
WINDOW = 128
RETRIES = 8
TIMEOUT_SECONDS = 10
MONEY_FORMAT = '"$"#,##0.00;[Red]("$"#,##0.00)'


class PageError(Exception):
    """A page that is not a whole parcel page: a fault worth retrying."""


class ParcelPage(HTMLParser):
    """The parts of a parcel page the summary needs: the info list, the tax history rows, the total due."""

    def __init__(self):
        super().__init__()
        self.parcel_id = None
        self.info = {}
        self.rows = []
        self.total_due = None
        self._where = None
        self._term = None
        self._text = ""
        self._row = None
        self._table = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("id") == "parcel":
            self.parcel_id = attrs.get("data-parcel-id")
        elif tag in ("dt", "dd", "td", "strong"):
            self._where, self._text = tag, ""
        elif tag == "tr" and self._table:
            self._row = []
        elif tag == "table" and attrs.get("id") == "tax-history":
            self._table = True

    def handle_endtag(self, tag):
        text = self._text.strip()
        if tag == "dt":
            self._term = text
        elif tag == "dd" and self._term is not None:
            self.info[self._term] = text
            self._term = None
        elif tag == "td" and self._row is not None:
            self._row.append(text)
        elif tag == "tr" and self._row is not None:
            if self._row:
                self.rows.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = False
        elif tag == "strong" and self.total_due is None and self.parcel_id is not None:
            self.total_due = text
        self._where = None

    def handle_data(self, data):
        if self._where is not None:
            self._text += data


def cents(text):
    """'$1,234.56' -> 123456, '($12.00)' -> -1200 (a credit), '—' -> 0."""
    text = text.strip()
    if text in ("—", "-", ""):
        return 0
    match = re.fullmatch(r"(\()?\$([\d,]+)\.(\d{2})\)?", text)
    if match is None:
        raise PageError(f"not an amount: {text!r}")
    value = int(match.group(2).replace(",", "")) * 100 + int(match.group(3))
    return -value if match.group(1) else value


def parse_parcel(html, parcel_id):
    if "</html>" not in html:
        raise PageError("truncated page")
    page = ParcelPage()
    page.feed(html)
    if page.parcel_id != parcel_id:
        # A maintenance page served with 200 has whole HTML but no parcel in it.
        raise PageError("no parcel on the page")
    history = []
    for row in page.rows:
        year, billed, paid, balance, status = row
        history.append({"year": int(year), "billed": cents(billed), "paid": cents(paid), "balance": cents(balance), "status": status})
    total = cents(page.total_due or "")
    if total != sum(h["balance"] for h in history):
        raise PageError("total due does not add up")
    return {
        "parcelId": parcel_id,
        "owner": page.info.get("Owner", ""),
        "county": page.info.get("County", ""),
        "situs": page.info.get("Situs Address", ""),
        "history": history,
        "totalDue": total,
    }


def fetch_parcel(base, parcel_id):
    """The parcel, or None when the portal has no such parcel (404)."""
    url = f"{base}/parcels/{parcel_id}"
    for attempt in range(RETRIES + 1):
        wait = min(0.25 * 2**attempt, 8)
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as answer:
                return parse_parcel(answer.read().decode("utf-8"), parcel_id)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            if error.code not in (429, 500, 502, 503, 504):
                raise
            retry_after = error.headers.get("Retry-After")
            if retry_after and retry_after.isdigit():
                wait = min(int(retry_after), 30)
            problem = f"HTTP {error.code}"
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError, PageError) as error:
            # HTTPException: a body cut short of its Content-Length, a connection closed before the status line.
            problem = str(error) or type(error).__name__
        if attempt == RETRIES:
            raise RuntimeError(f"{url}: gave up after {RETRIES + 1} tries: {problem}")
        time.sleep(wait)


def parcel_number(parcel_id):
    return int(parcel_id.replace("-", ""))


def parcel_id_of(number):
    digits = f"{number:08d}"
    return f"{digits[:2]}-{digits[2:5]}-{digits[5:]}"


def read_parcels(base, params):
    """The parcels to summarise, in parcel-number order; the pages read; the ids not found."""
    county = params.get("county", "").strip().upper() or None
    if "parcelIds" in params:
        ids, limit = iter(params["parcelIds"]), len(params["parcelIds"])
    else:
        first = parcel_number(params.get("from", DEFAULT_FROM))
        limit = params.get("limit", DEFAULT_LIMIT)
        ids = (parcel_id_of(n) for n in range(first, min(first + limit * PAGES_PER_PARCEL, 100_000_000)))
    found, not_found, pages = [], [], 0
    with ThreadPoolExecutor(THREADS) as pool:
        # Pages are taken in order from a window read ahead: a slow page holds up the result, not the reading.
        window = deque()
        for parcel_id in islice(ids, WINDOW):
            window.append((parcel_id, pool.submit(fetch_parcel, base, parcel_id)))
        while window and len(found) < limit:
            parcel_id, future = window.popleft()
            parcel = future.result()
            pages += 1
            if parcel is None:
                not_found.append(parcel_id)
            elif county is None or parcel["county"] == county:
                found.append(parcel)
            for following in islice(ids, 1):
                window.append((following, pool.submit(fetch_parcel, base, following)))
        for _, future in window:
            future.cancel()
    return found, not_found, pages


def owners_of(parcels):
    owners = {}
    for p in parcels:
        o = owners.setdefault((p["owner"], p["county"]), {"owner": p["owner"], "county": p["county"], "parcels": 0, "totalDue": 0, "delinquentYears": 0, "oldest": None})
        o["parcels"] += 1
        o["totalDue"] += p["totalDue"]
        years = [h["year"] for h in p["history"] if h["status"] == "DELINQUENT"]
        o["delinquentYears"] += len(years)
        if years:
            o["oldest"] = min(years + ([o["oldest"]] if o["oldest"] else []))
    return sorted(owners.values(), key=lambda o: (-o["totalDue"], o["owner"]))


def sheet(workbook, title, header, rows, money_columns):
    ws = workbook.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for column in money_columns:
        for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = MONEY_FORMAT
    for i, name in enumerate(header, start=1):
        width = max([len(str(name))] + [len(str(r[i - 1])) for r in rows if r[i - 1] is not None])
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(width + 2, 60)
    ws.freeze_panes = "A2"
    return ws


def workbook_of(parcels, owners, totals):
    wb = Workbook()
    wb.remove(wb.active)
    summary = [[name, value] for name, value in totals.items()]
    ws = sheet(wb, "Summary", ["Item", "Value"], summary, [])
    for item, value in ws.iter_rows(min_row=2):
        if item.value == "Total due":
            value.number_format = MONEY_FORMAT
    sheet(
        wb,
        "Owners",
        ["Owner", "County", "Parcels", "Total due", "Delinquent years", "Oldest delinquent year"],
        [[o["owner"], o["county"], o["parcels"], o["totalDue"] / 100, o["delinquentYears"], o["oldest"]] for o in owners],
        [4],
    )
    sheet(
        wb,
        "Parcels",
        ["Parcel", "Owner", "County", "Situs address", "Tax years", "Total due", "Delinquent years", "Current year"],
        [
            [
                p["parcelId"], p["owner"], p["county"], p["situs"], len(p["history"]), p["totalDue"] / 100,
                ", ".join(str(h["year"]) for h in p["history"] if h["status"] == "DELINQUENT") or None,
                p["history"][0]["status"] if p["history"] else "",
            ]
            for p in parcels
        ],
        [6],
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def s3_client():
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        return boto3.client("s3")
    # The emulator takes any key, but boto3 signs nothing without one.
    keys = {} if os.environ.get("AWS_ACCESS_KEY_ID") else {"aws_access_key_id": "drover-local", "aws_secret_access_key": "drover-local"}
    return boto3.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}), **keys)


def money(value):
    return f"${value / 100:,.2f}" if value >= 0 else f"(${-value / 100:,.2f})"


def plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


def main():
    params = json.loads(os.environ.get("DROVER_PARAMS", "{}"))
    base = os.environ["TAX_SOURCE_URL"].rstrip("/")
    bucket = os.environ.get("OUTPUT_BUCKET") or os.environ["DROVER_BUCKET"]
    process_id = os.environ["DROVER_PROCESS_ID"]
    started = time.monotonic()

    parcels, not_found, pages = read_parcels(base, params)
    county = params.get("county", "").strip().upper()
    what = f"county {county}" if county else "the parcels given"
    if not parcels:
        print(f"no parcel of {what} in {pages} pages read from {base}", file=sys.stderr)
        return 1
    owners = owners_of(parcels)
    total_due = sum(p["totalDue"] for p in parcels)
    delinquent_years = sum(o["delinquentYears"] for o in owners)
    totals = {
        "County": county or "(any)",
        "Parcels": len(parcels),
        "Owners": len(owners),
        "Delinquent parcels": sum(1 for p in parcels if any(h["status"] == "DELINQUENT" for h in p["history"])),
        "Total due": total_due / 100,
        "Delinquent years": delinquent_years,
        "Pages read": pages,
        "Parcel numbers not found": len(not_found),
        "Process": process_id,
        "Generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    body = workbook_of(parcels, owners, totals)
    key = f"reports/jobs/{process_id}/parcel-summary.xlsx"
    s3_client().put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    print(f"{plural(len(parcels), 'parcel')} of {what}, {plural(len(owners), 'owner')}, read from {pages} pages ({len(not_found)} not found) in {time.monotonic() - started:.1f} s")
    print(f"total due {money(total_due)}; {plural(totals['Delinquent parcels'], 'parcel')} delinquent, {plural(delinquent_years, 'delinquent year')}")
    for o in owners[:5]:
        print(f"  {o['owner']:<36} {plural(o['parcels'], 'parcel'):>11}  {money(o['totalDue']):>14}  {plural(o['delinquentYears'], 'delinquent year')}")
    print(f"workbook s3://{bucket}/{key} ({len(body):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
