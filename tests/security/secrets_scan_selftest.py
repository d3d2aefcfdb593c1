#!/usr/bin/env python3
"""Proves that secrets_scan.py finds what it is meant to find, on a real run's
evidence: the run's captured plugin log (<workdir>/plugin-capture/
plugin-stderr.log) must scan clean; a copy with one appended log line holding
a private key from that run's state must fail naming that line; so must a
copy with the run's password appended (or, when the state holds none, the
--password given, passed to the scanner as a --secret), a copy with the key
as one unbroken base64 string, and a copy with a foreign private key block.
A copy of a /proc environ snapshot with an added variable holding the
password must fail; with the same entry also in the caller's environment
(inherited) it must pass.

  secrets_scan_selftest.py --workdir DIR [--password VALUE]

Exit 0 when every case behaves, 1 otherwise (each case prints ok / not ok).
"""

import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import secrets_scan  # noqa: E402

SCANNER = os.path.join(HERE, "secrets_scan.py")


def run_scanner(args):
    p = subprocess.run([sys.executable, SCANNER] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    return p.returncode, p.stdout, p.stderr


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--password", help="used when the state holds no password")
    a = ap.parse_args(argv)
    log = os.path.join(a.workdir, "plugin-capture", "plugin-stderr.log")
    sd = os.path.join(a.workdir, "plugin-capture", "state")
    states = [os.path.join(sd, n) for n in sorted(os.listdir(sd))] if os.path.isdir(sd) else []
    failures = 0

    def check(ok, what, detail=""):
        nonlocal failures
        print("%s - %s%s" % ("ok" if ok else "not ok", what, (": " + detail) if detail and not ok else ""))
        if not ok:
            failures += 1

    if not os.path.exists(log) or not states:
        check(False, "captured evidence", "%s or %s missing (run the driver with --capture-plugin-proc)" % (log, sd))
        return 1
    with open(log, "rb") as f:
        original = f.read()
    check(len(original) > 0, "the captured plugin log is not empty (%d bytes)" % len(original))
    check(b'"@level":"trace"' in original, "the captured plugin log has trace lines")

    public, secrets = [], []
    for s in states:
        secrets += secrets_scan.secrets_from_state(s, public)
    key = next((s for s in secrets if "PRIVATE KEY-----" in s.value), None)
    password = next((s.value for s in secrets if "-----BEGIN" not in s.value), None)
    check(key is not None, "the run's state holds a private key (%s)" % (key.label if key else "-"))
    extra = []
    if password is None:
        password = a.password
        extra = ["--secret", password] if password else []
    check(bool(password), "a password to plant")
    if key is None or not password:
        return 1

    state_args = []
    for s in states:
        state_args += ["--state", s]
    tmp = tempfile.mkdtemp(prefix="pxc-secrets-selftest-")
    try:
        def scan_copy(name, appended):
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(original)
                if appended:
                    if not original.endswith(b"\n"):
                        f.write(b"\n")
                    f.write(appended)
            return path, run_scanner(state_args + extra + [path])

        line_no = original.count(b"\n") + (0 if original.endswith(b"\n") else 1) + 1
        path, (rc, out, err) = scan_copy("original.log", b"")
        check(rc == 0, "the unmodified log scans clean", "exit %d\n%s%s" % (rc, out, err))

        def planted(name, line, label):
            path, (rc, out, err) = scan_copy(name, line)
            named = re.search(r"^HIT %s:\d+ \(line %d\)" % (re.escape(path), line_no), out, re.M)
            check(rc == 1 and named is not None,
                  "%s: exit 1 and the hit names line %d of the copy" % (label, line_no),
                  "exit %d\n%s%s" % (rc, out, err))

        pem_line = json.dumps({"@level": "debug", "@message": "planted by the self-test",
                               "private_key_pem": key.value}).encode() + b"\n"
        planted("key.log", pem_line, "a log line with %s" % key.label)
        body = "".join(ln for ln in key.value.splitlines() if ln and not ln.startswith("-----"))
        planted("key-joined.log", ("debug: key=%s\n" % body).encode(),
                "a log line with the key's base64 on one line (no PEM armour)")
        planted("password.log",
                json.dumps({"@level": "trace", "@message": "connecting with password %s" % password}).encode() + b"\n",
                "a log line with the password")
        # /proc environ snapshots: an entry the driver or provider added is
        # scanned; one inherited unchanged from the caller is not.
        cap = os.path.join(a.workdir, "plugin-capture")
        snaps = sorted(n for n in os.listdir(os.path.join(cap, "proc")) if n.endswith(".environ"))
        check(bool(snaps), "the run kept /proc environ snapshots (%d)" % len(snaps))
        if snaps:
            with open(os.path.join(cap, "proc", snaps[0]), "rb") as f:
                env = f.read()
            with open(os.path.join(cap, "driver.environ"), "rb") as f:
                base = f.read()
            for case, added, inherited, want in (
                    ("unchanged", b"", b"", 0),
                    ("an added PXC_SELFTEST_PASSWORD", b"PXC_SELFTEST_PASSWORD=" + password.encode() + b"\0", b"", 1),
                    ("the same entry inherited from the caller",
                     b"PXC_SELFTEST_PASSWORD=" + password.encode() + b"\0",
                     b"PXC_SELFTEST_PASSWORD=" + password.encode() + b"\0", 0)):
                wd = tempfile.mkdtemp(dir=tmp)
                os.makedirs(os.path.join(wd, "plugin-capture", "proc"))
                with open(os.path.join(wd, "plugin-capture", "driver.environ"), "wb") as f:
                    f.write(base + inherited)
                snap = os.path.join(wd, "plugin-capture", "proc", snaps[0])
                with open(snap, "wb") as f:
                    f.write(env + added)
                rc, out, err = run_scanner(["--workdir", wd] + state_args + extra)
                check(rc == want and (want == 0 or snap in out),
                      "environ snapshot, %s: exit %d" % (case, want), "exit %d\n%s%s" % (rc, out, err))

        foreign = "-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----" % base64.b64encode(os.urandom(48)).decode()
        planted("foreign.log", json.dumps({"@message": foreign}).encode() + b"\n",
                "a log line with a private key block not from the state")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
