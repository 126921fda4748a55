"""The shop on the wire: a 100-line cart priced (shop_page) and placed, and checkouts of 20
organizations at once (each its own cart of 3 lines, paid from its prepaid balance), p50/p99
over several rounds. Against a running release server whose SQLite file the operator command
can reach (for the top-ups). Usage: checkout.py BASE_URL SERVER_BINARY DATABASE_URL, where
BASE_URL may name several processes on one database, comma-separated: the checkouts at once
then go to each in turn (the set-up and the 100-line cart to the first)."""

import json, os, statistics, subprocess, sys, threading, time, urllib.parse, urllib.request

bases, binary, database_url = sys.argv[1].split(","), sys.argv[2], sys.argv[3]
base = bases[0]
ORGANIZATIONS, ROUNDS = 20, 5
PASSWORD = "a long and unusual phrase for the bench"
run_id = str(int(time.time()))


def call(name, cookie, form, via=None):
    request = urllib.request.Request(
        f"{via or base}/api/{name}",
        data=urllib.parse.urlencode(form).encode(),
        method="POST",
        headers={"Cookie": cookie, "Sec-Fetch-Site": "same-origin",
                 "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request) as reply:
        body = reply.read()
        return (time.perf_counter() - started) * 1000, json.loads(body or b"null"), reply.headers


def operator(*args):
    env = dict(os.environ, DATABASE_URL=database_url, RUST_LOG="warn", STEWARD_DEMO_DATA="0")
    return subprocess.run([binary, *args], env=env, check=True, capture_output=True, text=True).stdout


def sign_in(email, password):
    request = urllib.request.Request(
        f"{base}/api/sign_in",
        data=urllib.parse.urlencode({"email": email, "password": password}).encode(),
        method="POST",
        headers={"Sec-Fetch-Site": "same-origin", "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request) as reply:
        cookie = reply.headers.get("Set-Cookie", "").split(";")[0]
    return cookie


# A demo person (Alice) creates the bench's organizations.
cookie = sign_in("alice@demo.steward.test", "steward-demo-2026")
organizations = []
for i in range(ORGANIZATIONS):
    _, created, _ = call("create_organization", cookie, {"name": f"Bench {run_id} {i}"})
    organization = str(created)
    call("add_billing_address", cookie, {
        "organization_id": organization, "name": "Bench", "company": "", "street": "Rue du Lac 1",
        "postal_code": "1003", "city": "Lausanne", "country": "CH", "vat_number": ""})
    _, statement, _ = call("prepaid_account", cookie, {"organization_id": organization})
    operator("record-transfer", "--reference", statement["reference"], "--amount", "1000000.00",
             "--currency", "CHF", "--transfer", f"bench-{run_id}-{i}")
    organizations.append(organization)


def fill(organization, lines, tag):
    for n in range(lines):
        kind = ("web_hosting", "mail_service", "drive")[n % 3]
        call("add_to_cart", cookie, {"organization_id": organization, "kind": kind,
                                     "name": f"bench {tag} {n}", "quantity": str(1 + n % 40),
                                     "periods": "1", "product_id": "0"})


def place(organization, key, out):
    via = bases[int(organization) % len(bases)]
    _, shop, _ = call("shop_page", cookie, {"organization_id": organization, "currency": "CHF"}, via)
    address = shop["addresses"][0]["id"]
    took, placed, _ = call("place_order", cookie, {
        "organization_id": organization, "currency": "CHF", "address_id": str(address),
        "payment": "prepaid", "key": key}, via)
    out.append((took, placed["status"]))


# A 100-line cart.
big = organizations[0]
fill(big, 100, "big")
quotes = [call("shop_page", cookie, {"organization_id": big, "currency": "CHF"})[0] for _ in range(20)]
one = []
place(big, f"bench-{run_id}-big-order-key", one)
print(f"  100-line cart: pricing it (shop_page) median {statistics.median(quotes):.1f} ms, "
      f"max {max(quotes):.1f} ms; placing it {one[0][0]:.0f} ms ({one[0][1]})")

# 20 organizations checking out at once, ROUNDS times.
times = []
for round_ in range(ROUNDS):
    for organization in organizations:
        fill(organization, 3, f"r{round_}")
    out = []
    threads = [threading.Thread(target=place, args=(o, f"bench-{run_id}-{round_}-{o}-order", out))
               for o in organizations]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert all(status == "Paid" for _, status in out), out
    times.extend(took for took, _ in out)
times.sort()
p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
print(f"  checkout, {ORGANIZATIONS} organizations at once (3-line carts, prepaid), {len(times)} orders"
      f"{f' across {len(bases)} processes' if len(bases) > 1 else ''}: "
      f"p50 {statistics.median(times):.0f} ms, p99 {p99:.0f} ms")
