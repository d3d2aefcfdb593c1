#!/usr/bin/env python3
"""Self-test of the process evidence of the secrets scan, without Terraform:
tests/security/proc_sampler.py and secrets_scan.py --inherited-environ.

secrets_scan.py on made-up /proc snapshots, with a password given as --secret:
  - an environ entry identical to one of the --inherited-environ file (the
    caller's `env -0`) is not reported; without the option it is (the option
    is what leaves it out);
  - an entry whose value was changed, or an added entry, holding the password
    is reported, naming the snapshot;
  - a cmdline holding the password is reported even when the argument is
    word for word an inherited environ entry (cmdlines are scanned whole);
  - the --inherited-environ file itself, inside a scanned directory, is not
    scanned; an unreadable one is exit 2.

proc_sampler.py on this machine's live /proc:
  - OUTDIR is 0700, every kept file 0600, nothing of the sampler's own
    process kept, identical contents kept once, a summary with its cycle time
    and processes per comm;
  - a process started after `start` returns with the password in its
    environment (1 s), and one with it in its arguments, are caught, and the
    scan with --inherited-environ reports them and nothing else (exit 1);
  - of ten processes living ~30 ms each (with a marker in their environment),
    at least 8 are caught (the count is printed);
  - a sampler whose --watch-pid exits stops by itself and writes its summary.

Prints "ok - ..." / "not ok - ..." and exits 1 on any failure."""

import os
import re
import secrets as pysecrets
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
from tap import Checks  # noqa: E402

SCAN = os.path.join(HERE, "secrets_scan.py")
SAMPLER = os.path.join(HERE, "proc_sampler.py")
check = Checks()


def scan(args):
    r = subprocess.run([sys.executable, SCAN] + args, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def hit_files(out):
    return {m.group(1) for m in re.finditer(r"^HIT (.*?):\d+ \(line", out, re.M)}


def scanner_cases(d, password):
    pw = password.encode()
    base = b"HOME=/root\0TF_VAR_ssluser_password=" + pw + b"\0PATH=/usr/bin\0"
    env0 = os.path.join(d, "test.env0")
    write(env0, base)
    samples = os.path.join(d, "samples")
    os.mkdir(samples)
    plugin = os.path.join(samples, "100-terraform-provi.environ")
    write(plugin, base + b"PLUGIN_PROTOCOL_VERSIONS=5,6\0")
    common = ["--secret", password]
    rc, out = scan(common + ["--inherited-environ", env0, samples])
    check(rc == 0 and "3 environ entries inherited" in out,
          "an environ entry identical to the caller's (TF_VAR_ssluser_password) is not reported", out)
    rc, out = scan(common + [samples])
    check(rc == 1 and hit_files(out) == {plugin},
          "without --inherited-environ the same entry is reported", out)

    changed = os.path.join(samples, "101-sh.environ")
    write(changed, b"HOME=/root\0TF_VAR_ssluser_password=" + pw + b"-2\0")
    added = os.path.join(samples, "102-openssl.environ")
    write(added, base + b"PASS=" + pw + b"\0")
    rc, out = scan(common + ["--inherited-environ", env0, samples])
    check(rc == 1 and hit_files(out) == {changed, added},
          "an entry changed from the caller's, and an added one, holding the password are reported", out)
    os.remove(changed)
    os.remove(added)

    cmd = os.path.join(samples, "103-env.cmdline")
    write(cmd, b"env\0TF_VAR_ssluser_password=" + pw + b"\0sleep\0" + b"1\0")
    rc, out = scan(common + ["--inherited-environ", env0, samples])
    check(rc == 1 and hit_files(out) == {cmd},
          "a cmdline holding the password is reported, even as an inherited entry word for word", out)
    os.remove(cmd)

    inside = os.path.join(samples, "caller.environ")
    write(inside, base)
    rc, out = scan(common + ["--inherited-environ", inside, samples])
    check(rc == 0, "the --inherited-environ file inside a scanned directory is not scanned", out)
    os.remove(inside)
    rc, out = scan(common + ["--inherited-environ", os.path.join(d, "missing"), samples])
    check(rc == 2 and "cannot read --inherited-environ" in out, "an unreadable --inherited-environ: exit 2", out)


def summary_of(outdir):
    with open(os.path.join(outdir, "summary.txt")) as f:
        text = f.read()
    counts = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            n, comm = line.split("\t", 1)
            counts[comm] = int(n)
    return text, counts


def sampler_cases(d, password):
    outdir = os.path.join(d, "proc")
    env0 = os.path.join(d, "self.env0")
    write(env0, b"".join(b"%s=%s\0" % (k.encode(), v.encode()) for k, v in os.environ.items()))
    r = subprocess.run([sys.executable, SAMPLER, "start", outdir, "--watch-pid", str(os.getpid())],
                       capture_output=True, text=True)
    check(r.returncode == 0, "proc_sampler.py start", r.stdout + r.stderr)
    if r.returncode != 0:
        return
    with open(os.path.join(outdir, "sampler.pid")) as f:
        sampler_pid = int(f.read())
    planted = []
    env = dict(os.environ, PXC_PROC_TEST_PASSWORD=password)
    p = subprocess.Popen(["sleep", "1"], env=env)
    planted.append(p)
    q = subprocess.Popen(["sh", "-c", "sleep 0.5; true", "sh", "--password=" + password])
    planted.append(q)
    twins = [subprocess.Popen(["sleep", "0.3"]) for _ in range(2)]
    short = []
    for i in range(10):
        s = subprocess.Popen(["sleep", "0.03"], env=dict(os.environ, PXC_PROC_TEST_SHORT="m%d" % i))
        s.wait()
        short.append(s.pid)
        time.sleep(0.05)
    for x in planted + twins:
        x.wait()
    r = subprocess.run([sys.executable, SAMPLER, "stop", outdir], capture_output=True, text=True)
    check(r.returncode == 0 and r.stdout.startswith("# proc_sampler.py:"),
          "proc_sampler.py stop prints the summary", r.stdout + r.stderr)
    print("    | " + "\n    | ".join(r.stdout.splitlines()[:3]))
    if r.returncode != 0:
        return
    check(stat.S_IMODE(os.stat(outdir).st_mode) == 0o700, "the output directory is 0700")
    names = sorted(os.listdir(outdir))
    kept = [n for n in names if n.endswith((".cmdline", ".environ"))]
    modes = {stat.S_IMODE(os.stat(os.path.join(outdir, n)).st_mode) for n in names}
    check(modes == {0o600}, "every file in it is 0600", "modes %s" % sorted(map(oct, modes)))
    check(not [n for n in kept if n.startswith("%d-" % sampler_pid)], "nothing of the sampler's own process")
    contents = {}
    for n in kept:
        with open(os.path.join(outdir, n), "rb") as f:
            contents.setdefault(f.read(), []).append(n)
    check(all(len(v) == 1 for v in contents.values()), "each distinct content is kept once",
          str([v for v in contents.values() if len(v) > 1][:3]))
    twin_files = contents.get(b"sleep\x000.3\x00", [])
    check(len(twin_files) == 1, "two processes with the same command line: one cmdline file", str(twin_files))
    caught = 0
    for pid in short:
        fn = os.path.join(outdir, "%d-sleep.environ" % pid)
        if os.path.exists(fn) and b"PXC_PROC_TEST_SHORT=" in open(fn, "rb").read():
            caught += 1
    check(caught >= 8, "processes living ~30 ms: %d of 10 caught (at least 8)" % caught)
    text, counts = summary_of(outdir)
    check(counts.get("sleep", 0) >= 4 + caught and counts.get("sh", 0) >= 1,
          "the summary counts the processes per comm (sleep: %d, at least %d; sh: %d)"
          % (counts.get("sleep", 0), 4 + caught, counts.get("sh", 0)), text)

    rc, out = scan(["--secret", password, "--inherited-environ", env0, outdir])
    got = hit_files(out)
    mine = {f for f in got if re.match(r"(%d|%d)-" % (p.pid, q.pid), os.path.basename(f))}
    check(rc == 1 and got == mine and any(f.endswith(".environ") for f in got)
          and any(f.endswith(".cmdline") for f in got),
          "the scan reports the password in the environment of one process and the arguments of "
          "another, nowhere else (exit 1)", out)

    # --watch-pid: the sampler ends with the shell that started it.
    watched = subprocess.Popen(["sleep", "0.3"])
    out2 = os.path.join(d, "proc2")
    r = subprocess.run([sys.executable, SAMPLER, "start", out2, "--watch-pid", str(watched.pid)],
                       capture_output=True, text=True)
    watched.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not os.path.exists(os.path.join(out2, "summary.txt")):
        time.sleep(0.05)
    log = open(os.path.join(out2, "sampler.log")).read() if os.path.exists(os.path.join(out2, "sampler.log")) else ""
    check(r.returncode == 0 and os.path.exists(os.path.join(out2, "summary.txt")) and "gone" in log,
          "a sampler whose --watch-pid exits stops by itself", log + r.stderr)


def main():
    d = tempfile.mkdtemp(prefix="pxc-scan-proc-")
    os.chmod(d, 0o700)
    password = "proc-test-" + pysecrets.token_hex(8)
    scanner_cases(d, password)
    sampler_cases(d, password)
    subprocess.run(["rm", "-rf", d])
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
