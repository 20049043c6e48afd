"""
partner-feeds, step 3 of 3: the day's figures per partner from the load step's counts, as
reports/jobs/<process id>/partner-feeds.json (the job's result, beside the other jobs'
reports; its working data stays under jobs/<process id>/) and a table in the task log. It
fails, naming them, when a partner's counts are missing: a load child that did not finish.
"""
import json
import os
import sys

import boto3
from botocore.config import Config


def s3_client():
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        return boto3.client("s3")
    # The emulator takes any key, but boto3 signs nothing without one.
    keys = {} if os.environ.get("AWS_ACCESS_KEY_ID") else {"aws_access_key_id": "drover-local", "aws_secret_access_key": "drover-local"}
    return boto3.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}), **keys)


def main():
    bucket = os.environ.get("OUTPUT_BUCKET") or os.environ["DROVER_BUCKET"]
    prefix = f"jobs/{os.environ['DROVER_PROCESS_ID']}"
    s3 = s3_client()
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=f"{prefix}/partners.json")["Body"].read())
    stats, missing = [], []
    for partner in manifest["partners"]:
        try:
            stats.append(json.loads(s3.get_object(Bucket=bucket, Key=f"{prefix}/loaded/{partner}.stats.json")["Body"].read()))
        except s3.exceptions.NoSuchKey:
            missing.append(partner)
    if missing:
        print(f"no counts from the load of {', '.join(missing)}", file=sys.stderr)
        return 1

    totals = {name: sum(s[name] for s in stats) for name in ("read", "loaded", "duplicates", "amountCents")}
    totals["refused"] = sum(sum(s["refused"].values()) for s in stats)
    report = {"date": manifest["date"], "partners": stats, "totals": totals}
    key = f"reports/{prefix}/partner-feeds.json"
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(report, indent=2).encode(), ContentType="application/json")

    print(f"partner feeds of {manifest['date']}")
    print(f"{'PARTNER':<17} {'READ':>5} {'LOADED':>6} {'DUPES':>5} {'REFUSED':>7} {'AMOUNT':>14}")
    for s in stats + [dict(totals, partner="total")]:
        refused = s["refused"] if isinstance(s["refused"], int) else sum(s["refused"].values())
        print(f"{s['partner']:<17} {s['read']:>5} {s['loaded']:>6} {s['duplicates']:>5} {refused:>7} {'$' + format(s['amountCents'] / 100, ',.2f'):>14}")
    print(f"report s3://{bucket}/{key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
