#!/usr/bin/env python3
"""The billing-history export (PAR-6) at a web agency's scale, measured on the wire: the release
server with the demo data, whose partner (Helvetia Web Agency) is given 500 more customers with a
year of history each (a monthly invoice of three renewal lines, each earning cashback), then
restarted; its legal representative downloads each history for that year. Prints the rows, the
bytes, the time to the last byte and the server's memory (resident before, peak after).

    end2end/bench/export.py <server binary> <work dir>
"""
import csv
import io
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

CUSTOMERS = 500
MONTHS = 12
DAY = 86_400


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(binary, db, port, demo):
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite://{db}",
        LEPTOS_SITE_ADDR=f"127.0.0.1:{port}",
        RUST_LOG="warn",
        STEWARD_MAIL_DIR=os.path.join(os.path.dirname(db), "mail"),
    )
    if demo:
        env["STEWARD_DEMO_DATA"] = "1"
    process = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith(key + ":")) / 1024


def seed(db):
    """500 customers of the demo's partner, each with a year of monthly invoices."""
    c = sqlite3.connect(db)
    now = int(time.time())
    partner = c.execute("SELECT id FROM organizations WHERE name = 'Helvetia Web Agency' ORDER BY id LIMIT 1").fetchone()[0]
    number = c.execute("SELECT COALESCE(MAX(number), 0) FROM invoices WHERE currency = 'CHF'").fetchone()[0] + 1000
    lines = [("web_hosting", "Hosting", 9_92, "month"), ("mail_service", "Mail", 3_50, "month"), ("domain", "Domain", 1_08, "month")]
    for i in range(CUSTOMERS):
        customer = c.execute("INSERT INTO organizations (name, created_at) VALUES (?, ?)", (f"Customer {i:03} Sàrl", now - 400 * DAY)).lastrowid
        relationship = c.execute(
            "INSERT INTO partner_customers (partner_id, email, token_hash, requested_at, request_expires_at, requested_access, state, customer_id, granted_access, answered_at) "
            "VALUES (?, ?, ?, ?, ?, 'full_customer_pays', 'active', ?, 'full_customer_pays', ?)",
            (partner, f"customer{i}@example.com", f"bench-{i}", now - 400 * DAY, now - 370 * DAY, customer, now - 399 * DAY),
        ).lastrowid
        for month in range(MONTHS):
            at = now - (MONTHS - month) * 30 * DAY
            net = sum(price for _, _, price, _ in lines)
            vat = net * 81 // 1000
            total = net + vat
            order = c.execute(
                "INSERT INTO orders (organization_id, currency, total_minor, payment, status, idempotency_key, placed_at, paid_at) "
                "VALUES (?, 'CHF', ?, 'prepaid', 'paid', ?, ?, ?)",
                (customer, total, f"bench-{i}-{month}", at, at),
            ).lastrowid
            number += 1
            invoice = c.execute(
                "INSERT INTO invoices (organization_id, order_id, currency, number, organization_name, address, net_minor, vat_minor, rounding_minor, total_minor, issued_at, line_count) "
                "VALUES (?, ?, 'CHF', ?, ?, 'Rue du Lac 1, 1003 Lausanne', ?, ?, 0, ?, ?, ?)",
                (customer, order, number, f"Customer {i:03} Sàrl", net, vat, total, at, len(lines)),
            ).lastrowid
            for position, (kind, label, price, period) in enumerate(lines):
                name = f"{label} customer-{i:03}"
                c.execute(
                    "INSERT INTO order_lines (order_id, position, kind, plan, name, quantity, periods, period, purpose) VALUES (?, ?, ?, 'standard', ?, 1, 1, ?, 'renewal')",
                    (order, position, kind, name, period),
                )
                c.execute(
                    "INSERT INTO invoice_lines (invoice_id, position, description, quantity, periods, period, list_minor, net_minor, vat_rate) VALUES (?, ?, ?, 1, 1, ?, ?, ?, 810)",
                    (invoice, position, f"Renewal of {name}", period, price, price),
                )
                back = price // 5
                c.execute(
                    "INSERT INTO partner_cashback (partner_id, customer_id, relationship_id, order_id, position, invoice_id, description, currency, public_minor, partner_minor, amount_minor, created_at, credited_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 'CHF', ?, ?, ?, ?, ?)",
                    (partner, customer, relationship, order, position, invoice, f"Renewal of {name}, 1 month", price, price - back, back, at, at),
                )
    c.commit()
    c.execute("ANALYZE")
    c.close()
    return partner, now


def main():
    binary, work = sys.argv[1], sys.argv[2]
    db = os.path.join(work, "export.db")
    port = free_port()
    server = start(binary, db, port, demo=True)
    server.terminate()
    server.wait()
    started = time.perf_counter()
    partner, now = seed(db)
    print(f"  {CUSTOMERS} customers × {MONTHS} monthly invoices of 3 renewal lines written in {time.perf_counter() - started:.1f} s")
    server = start(binary, db, port, demo=False)
    try:
        base = f"http://127.0.0.1:{port}"
        request = urllib.request.Request(
            f"{base}/api/sign_in",
            data=b"email=bruno%40demo.steward.test&password=steward-demo-2026",
            headers={"Sec-Fetch-Site": "same-origin", "Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(request) as r:
            cookie = next(v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie" and v.startswith("steward_session="))
        year_from = time.strftime("%Y-%m-%d", time.gmtime(now - 366 * DAY))
        year_to = time.strftime("%Y-%m-%d", time.gmtime(now + DAY))
        print(f"  idle before the exports: {status(server.pid, 'VmRSS'):.1f} MB resident")
        # Renewals again at the end: a second export of the same size should not raise the peak
        # (memory flat), whatever the first ones left in the caches.
        for history in ("invoices", "renewals", "cashback", "renewals", "renewals"):
            url = f"{base}/reseller-export.csv?organization={partner}&history={history}&from={year_from}&to={year_to}"
            request = urllib.request.Request(url, headers={"Cookie": cookie})
            t0 = time.perf_counter()
            size = 0
            body = io.BytesIO()
            with urllib.request.urlopen(request) as r:
                while True:
                    chunk = r.read(65536)
                    if not chunk:
                        break
                    size += len(chunk)
                    body.write(chunk)
            elapsed = time.perf_counter() - t0
            rows = sum(1 for _ in csv.reader(io.StringIO(body.getvalue().decode("utf-8")))) - 1
            print(
                f"  {history:9} a year, all customers: {rows:6} rows, {size / 1e6:5.2f} MB in {elapsed:5.2f} s"
                f" ({rows / elapsed:8.0f} rows/s); server peak {status(server.pid, 'VmHWM'):.1f} MB, now {status(server.pid, 'VmRSS'):.1f} MB"
            )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
