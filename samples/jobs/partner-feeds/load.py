"""
partner-feeds, step 2 of 3, an array step: child N (AWS_BATCH_JOB_ARRAY_INDEX) loads partner N
of jobs/<process id>/partners.json. It keeps an order once (the first time its id comes),
refuses one without a SKU, a positive whole quantity or a price, and writes the clean orders,
with their amount in cents, to jobs/<process id>/loaded/<partner>.jsonl and its counts to
jobs/<process id>/loaded/<partner>.stats.json.
"""
import json
import os
import re
import sys

import boto3
from botocore.config import Config

PRICE = re.compile(r"^\d+\.\d{2}$")


def s3_client():
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        return boto3.client("s3")
    # The emulator takes any key, but boto3 signs nothing without one.
    keys = {} if os.environ.get("AWS_ACCESS_KEY_ID") else {"aws_access_key_id": "drover-local", "aws_secret_access_key": "drover-local"}
    return boto3.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}), **keys)


def problem(order):
    """Why an order cannot be loaded, or None."""
    if not order.get("sku"):
        return "no sku"
    quantity = order.get("quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        return "bad quantity"
    if not isinstance(order.get("unitPrice"), str) or not PRICE.match(order["unitPrice"]):
        return "bad price"
    return None


def main():
    index = int(os.environ["AWS_BATCH_JOB_ARRAY_INDEX"])
    bucket = os.environ.get("OUTPUT_BUCKET") or os.environ["DROVER_BUCKET"]
    prefix = f"jobs/{os.environ['DROVER_PROCESS_ID']}"
    s3 = s3_client()
    partners = json.loads(s3.get_object(Bucket=bucket, Key=f"{prefix}/partners.json")["Body"].read())["partners"]
    if index >= len(partners):
        print(f"child {index}: the feed names only {len(partners)} partners", file=sys.stderr)
        return 1
    partner = partners[index]
    raw = s3.get_object(Bucket=bucket, Key=f"{prefix}/raw/{partner}.jsonl")["Body"].read().decode()

    seen, loaded, refused, duplicates, read = set(), [], {}, 0, 0
    for line in raw.splitlines():
        if not line.strip():
            continue
        read += 1
        order = json.loads(line)
        if order["orderId"] in seen:
            duplicates += 1
            continue
        seen.add(order["orderId"])
        why = problem(order)
        if why is not None:
            refused[why] = refused.get(why, 0) + 1
            continue
        units, hundredths = order["unitPrice"].split(".")
        amount = order["quantity"] * (int(units) * 100 + int(hundredths))
        loaded.append({"orderId": order["orderId"], "partner": partner, "sku": order["sku"], "quantity": order["quantity"], "amountCents": amount, "placedAt": order["placedAt"]})

    stats = {
        "partner": partner,
        "index": index,
        "read": read,
        "loaded": len(loaded),
        "duplicates": duplicates,
        "refused": refused,
        "amountCents": sum(o["amountCents"] for o in loaded),
    }
    body = "".join(json.dumps(o) + "\n" for o in loaded).encode()
    s3.put_object(Bucket=bucket, Key=f"{prefix}/loaded/{partner}.jsonl", Body=body, ContentType="application/x-ndjson")
    s3.put_object(Bucket=bucket, Key=f"{prefix}/loaded/{partner}.stats.json", Body=json.dumps(stats).encode(), ContentType="application/json")
    why = ", ".join(f"{n} {reason}" for reason, n in sorted(refused.items())) or "none"
    print(f"child {index}: {partner}: read {read}, loaded {len(loaded)}, {duplicates} duplicates, refused {sum(refused.values())} ({why}); ${stats['amountCents'] / 100:,.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
