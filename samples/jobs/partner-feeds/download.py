"""
partner-feeds, step 1 of 3: fetches each partner's order feed for `date` and stores it as it
came, one JSON object a line, at s3://<bucket>/jobs/<process id>/raw/<partner>.jsonl, with
jobs/<process id>/partners.json naming the partners in the order the `load` step's array
children take them (child N loads partner N).

The feeds are made up here, the same for the same date: real partners' feeds carry a few
repeated orders and a few broken ones, and so do these, so that `load` has work to do.
"""
import json
import os
import random
from datetime import date as Date

import boto3
from botocore.config import Config

PARTNERS = ["northwind", "prairie-co-op", "sandhills-supply", "platte-freight"]
SKUS = ["FENCE-WIRE-12G", "SALT-BLOCK-50", "HAY-NET-XL", "TANK-HEATER", "EAR-TAG-100", "GATE-14FT"]


def s3_client():
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        return boto3.client("s3")
    # The emulator takes any key, but boto3 signs nothing without one.
    keys = {} if os.environ.get("AWS_ACCESS_KEY_ID") else {"aws_access_key_id": "drover-local", "aws_secret_access_key": "drover-local"}
    return boto3.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}), **keys)


def feed(partner, day):
    """The partner's orders of the day, as the partner sends them."""
    rng = random.Random(f"{day}/{partner}")
    orders = []
    for i in range(rng.randint(200, 400)):
        order = {
            "orderId": f"{partner[:3].upper()}-{day.replace('-', '')}-{i:05d}",
            "partner": partner,
            "sku": rng.choice(SKUS),
            "quantity": rng.randint(1, 40),
            "unitPrice": f"{rng.randint(199, 45000) / 100:.2f}",
            "placedAt": f"{day}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z",
        }
        dirt = rng.random()
        if dirt < 0.02:
            order["quantity"] = 0
        elif dirt < 0.03:
            order["sku"] = ""
        elif dirt < 0.04:
            order["unitPrice"] = "n/a"
        orders.append(order)
        if rng.random() < 0.03:
            orders.append(dict(order))  # sent twice
    return orders


def main():
    day = os.environ["DROVER_PARAM_DATE"]
    Date.fromisoformat(day)  # the job's schema checked the format; this checks it is a real day
    bucket = os.environ.get("OUTPUT_BUCKET") or os.environ["DROVER_BUCKET"]
    prefix = f"jobs/{os.environ['DROVER_PROCESS_ID']}"
    s3 = s3_client()
    for partner in PARTNERS:
        orders = feed(partner, day)
        body = "".join(json.dumps(o) + "\n" for o in orders).encode()
        s3.put_object(Bucket=bucket, Key=f"{prefix}/raw/{partner}.jsonl", Body=body, ContentType="application/x-ndjson")
        print(f"{partner:<17} {len(orders):>4} orders  {len(body):>7,} bytes  s3://{bucket}/{prefix}/raw/{partner}.jsonl")
    manifest = {"date": day, "partners": PARTNERS}
    s3.put_object(Bucket=bucket, Key=f"{prefix}/partners.json", Body=json.dumps(manifest).encode(), ContentType="application/json")
    print(f"{len(PARTNERS)} feeds of {day}; the load step's child N loads partner N of s3://{bucket}/{prefix}/partners.json")


if __name__ == "__main__":
    main()
