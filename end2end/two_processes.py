"""Two Steward processes on one Postgres behave as one (run by scripts/test, after the Rust tests).

Starts two server processes, A and B, on a database of their own in the test cluster, with a
test SMTP server that keeps every message it receives (a message delivered twice shows up
twice), and checks what a person or an operator would notice if they did not:
  - a session made on A works on B, and signing out on B ends it on A;
  - failed sign-ins alternating between A and B lock the account at its threshold, with one
    lockout email;
  - the outbox and the scheduler's jobs run once across both: every email is delivered once,
    and the expiry reminders due when both start are sent by one process, once each;
  - while Postgres is stopped, both answer 503 with Retry-After (never 500), and both serve
    again once it is back, without a restart.
No timing is asserted: every wait polls for the awaited state, with a generous deadline.

Usage (environment): STEWARD_SERVER_BINARY, PG_BIN, PG_DATA, PG_PORT, PG_OPTIONS (what the
cluster was started with), WORK (a scratch directory).
"""

import json, os, socket, subprocess, sys, time, urllib.error, urllib.parse, urllib.request
from aiosmtpd.controller import Controller

BINARY = os.environ["STEWARD_SERVER_BINARY"]
PG_BIN, PG_DATA, PG_PORT = os.environ["PG_BIN"], os.environ["PG_DATA"], os.environ["PG_PORT"]
PG_OPTIONS, WORK = os.environ["PG_OPTIONS"], os.environ["WORK"]
DATABASE = "two_processes"
DATABASE_URL = f"postgres://steward@127.0.0.1:{PG_PORT}/{DATABASE}"
PASSWORD = "steward-demo-2026"
LOCKED_SUBJECT = "Your Steward account has been locked"
checks = 0


def check(condition, what):
    global checks
    if not condition:
        raise SystemExit(f"two processes: FAILED: {what}")
    checks += 1
    print(f"  ok  {what}")


def wait_for(what, probe, deadline=60.0):
    """Polls `probe` until it returns something true; its last answer otherwise fails."""
    end = time.monotonic() + deadline
    while True:
        answer = probe()
        if answer:
            return answer
        if time.monotonic() > end:
            raise SystemExit(f"two processes: FAILED: {what} (still {answer!r} after {deadline:.0f} s)")
        time.sleep(0.1)


def as_postgres(*command):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + list(command), check=True, capture_output=True, text=True).stdout


def sql(statement):
    return as_postgres(f"{PG_BIN}/psql", "-h", "127.0.0.1", "-p", PG_PORT, "-U", "steward", "-d",
                       DATABASE, "-AtX", "-v", "ON_ERROR_STOP=1", "-c", statement).strip()


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


class Mailbox:
    """The test SMTP server's handler: every message received, in order, duplicates included."""
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        text = envelope.content.decode("utf-8", "replace")
        subject = next((l[9:].strip() for l in text.splitlines() if l.startswith("Subject: ")), "")
        for recipient in envelope.rcpt_tos:
            self.messages.append((recipient, subject, text.split("\r\n\r\n", 1)[-1]))
        return "250 OK"

    def subjects_to(self, recipient):
        return [s for r, s, _ in self.messages if r == recipient]


class Server:
    def __init__(self, name, smtp_port, demo=False):
        self.name, self.port = name, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(WORK, f"two-processes-{name}.log")
        env = dict(os.environ, DATABASE_URL=DATABASE_URL, STEWARD_DEMO_DATA="1" if demo else "0",
                   LEPTOS_SITE_ADDR=f"127.0.0.1:{self.port}", STEWARD_SMTP_HOST="127.0.0.1",
                   STEWARD_SMTP_PORT=str(smtp_port), STEWARD_SMTP_SECURITY="none", RUST_LOG="info")
        self.log = open(self.log_path, "w")
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.process = subprocess.Popen([BINARY], env=env, cwd=root, stdout=self.log,
                                        stderr=subprocess.STDOUT)

    def ready(self):
        def up():
            if self.process.poll() is not None:
                raise SystemExit(f"two processes: server {self.name} exited:\n{self.read_log()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=1) as reply:
                    return reply.status == 200
            except OSError:
                return False
        wait_for(f"server {self.name} starts", up, deadline=120)
        return self

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()

    def read_log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def request(self, path, form=None, cookie=""):
        """(status, headers, body) of a GET (no form) or a server-function POST."""
        headers = {"Sec-Fetch-Site": "same-origin", "Accept": "application/json"}
        if cookie:
            headers["Cookie"] = cookie
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base + path, data=data, headers=headers,
                                         method="POST" if form is not None else "GET")
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return reply.status, reply.headers, reply.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode("utf-8", "replace")

    def sign_in(self, email, password):
        status, headers, body = self.request("/api/sign_in", {"email": email, "password": password})
        cookie = (headers.get("Set-Cookie") or "").split(";")[0]
        return status, cookie, body


def code(body):
    try:
        return json.loads(body).get("code")
    except (ValueError, AttributeError):
        return None


def outbox_drained():
    return sql("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL") == "0"


def main():
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    as_postgres(f"{PG_BIN}/psql", "-h", "127.0.0.1", "-p", PG_PORT, "-U", "steward", "-d",
                "postgres", "-AtX", "-c", f"DROP DATABASE IF EXISTS {DATABASE}")
    as_postgres(f"{PG_BIN}/psql", "-h", "127.0.0.1", "-p", PG_PORT, "-U", "steward", "-d",
                "postgres", "-AtX", "-c", f"CREATE DATABASE {DATABASE}")
    servers = []
    try:
        # The demo data, written by one process alone; then what its first scheduler run did is
        # forgotten, so that the expiry reminders are due again when A and B start together.
        seeding = Server("seed", smtp.port, demo=True).ready()
        wait_for("the seeding process's emails are delivered", outbox_drained)
        seeding.stop()
        sql("DELETE FROM expiry_reminders_sent; DELETE FROM scheduled_jobs; DELETE FROM outbox")
        mailbox.messages.clear()

        a, b = Server("A", smtp.port), Server("B", smtp.port)
        servers = [a, b]
        a.ready(), b.ready()
        print("Two Steward processes on one Postgres database")

        # A session made on A works on B, and ends on both when ended on one.
        status, cookie, body = a.sign_in("alice@demo.steward.test", PASSWORD)
        check(status == 200 and cookie, f"signed in on A ({status})")
        status, _, body = b.request("/api/my_organizations", {}, cookie)
        check(status == 200 and len(json.loads(body)) > 0,
              f"the session made on A works on B ({status}: {len(json.loads(body)) if status == 200 else body})")
        status, _, _ = b.request("/api/sign_out", {}, cookie)
        check(status == 200, f"signed out on B ({status})")
        status, _, body = a.request("/api/my_organizations", {}, cookie)
        check(status == 401 and code(body) == "unauthenticated",
              f"the session ended on B is refused on A ({status} {code(body)})")

        # Failed sign-ins alternating between A and B count as one series.
        victim = "hugo@demo.steward.test"
        threshold = int(sql(f"SELECT lockout_threshold FROM users WHERE email = '{victim}'"))
        answers = []
        for attempt in range(threshold):
            server = (a, b)[attempt % 2]
            status, _, body = server.sign_in(victim, "not the password")
            answers.append(code(body))
        check(all(c == "invalid_credentials" for c in answers[:-1]),
              f"the first {threshold - 1} wrong passwords are refused as wrong ({set(answers[:-1])})")
        for server in (a, b):
            status, _, body = server.sign_in(victim, PASSWORD)
            check(status == 423 and code(body) == "account_locked",
                  f"after {threshold} failures alternating between A and B, {server.name} refuses even the right password as locked ({status} {code(body)})")
        wait_for("the outbox is delivered", outbox_drained)
        check(mailbox.subjects_to(victim).count(LOCKED_SUBJECT) == 1,
              f"one lockout email ({mailbox.subjects_to(victim)})")

        # The outbox and the scheduler ran on both, and every effect happened once.
        jobs = sql("SELECT job || ':' || coalesce(last_run_at, 0) FROM scheduled_jobs ORDER BY job").split()
        check(len(jobs) >= 4 and all(not j.endswith(":0") for j in jobs),
              f"every scheduler job ran ({', '.join(j.split(':')[0] for j in jobs)})")
        reminders = int(sql("SELECT count(*) FROM expiry_reminders_sent"))
        check(reminders > 0, f"expiry reminders were due and sent ({reminders})")
        senders = [s.name for s in servers for line in s.read_log().splitlines() if "sent expiry reminders" in line]
        check(len(senders) == 1, f"one process sent them ({senders})")
        sent = int(sql("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL"))
        check(len(mailbox.messages) == sent,
              f"each of the {sent} emails was delivered once ({len(mailbox.messages)} received)")
        check(len(set(mailbox.messages)) == len(mailbox.messages), "no message arrived twice")

        # Postgres stopped: both answer 503 with Retry-After, never 500; both serve again after.
        status, cookie, _ = b.sign_in("alice@demo.steward.test", PASSWORD)
        check(status == 200, "signed in on B before Postgres stops")
        organization = json.loads(a.request("/api/my_organizations", {}, cookie)[2])[0]["id"]
        as_postgres(f"{PG_BIN}/pg_ctl", "-D", PG_DATA, "-m", "fast", "-w", "stop")
        try:
            for server in servers:
                for what, path, form in (
                    ("an organization page", f"/o/{organization}/products", None),
                    ("a server function", "/api/my_organizations", {}),
                    ("a sign-in", "/api/sign_in", {"email": "bruno@demo.steward.test", "password": PASSWORD}),
                ):
                    status, headers, body = server.request(path, form, cookie)
                    check(status == 503 and headers.get("Retry-After"),
                          f"Postgres stopped: {what} on {server.name} answers {status}, Retry-After {headers.get('Retry-After')}")
                    if form is not None:
                        check(code(body) == "unavailable", f"…with the code unavailable ({code(body)})")
                    else:
                        unavailable_page = body
                        check(f'href="{path}">Try again</a>' in body, "…Steward's own page, to try again")
        finally:
            as_postgres(f"{PG_BIN}/pg_ctl", "-D", PG_DATA, "-l", os.path.join(PG_DATA, "restart.log"),
                        "-w", "-o", PG_OPTIONS, "start")
        # The page a person meets meanwhile, checked as the browser suite checks every page.
        page_file = os.path.join(WORK, "unavailable.html")
        with open(page_file, "w") as f:
            f.write(unavailable_page)
        end2end = os.path.dirname(os.path.abspath(__file__))
        axe = subprocess.run(["node", os.path.join(end2end, "axe_file.mjs"), page_file], cwd=end2end,
                             capture_output=True, text=True)
        check(axe.returncode == 0, f"the 503 page passes axe at both widths ({axe.stdout.strip() or axe.stderr.strip()[-300:]})")
        for server in servers:
            wait_for(f"{server.name} serves again once Postgres is back",
                     lambda: server.request("/api/my_organizations", {}, cookie)[0] == 200)
            check(True, f"{server.name} serves again once Postgres is back, without a restart")
        for server in servers:
            check(server.process.poll() is None, f"{server.name} is still running")
            # A database error that is not "unreachable" is logged as an error (and answered 500).
            errors = [l for l in server.read_log().splitlines() if " ERROR " in l]
            check(not errors, f"{server.name} logged no error ({errors[:3]})")
        print(f"two processes: {checks} checks passed")
    finally:
        for server in servers:
            if server.process.poll() is None:
                server.stop()
        smtp.stop()


if __name__ == "__main__":
    main()
