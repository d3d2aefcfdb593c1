#!/usr/bin/env python3
"""Process sampler for the secrets scan: while a test runs Terraform, keeps
the command line and the environment of every process on the machine, for
secrets_scan.py to search (a password or key handed to a program in its
arguments or environment can be read by any local user from /proc/<pid>/
cmdline, and by the same user or root from /proc/<pid>/environ).

The test bed's nodes are network namespaces sharing this machine's PID
namespace, so the node-side commands the provider runs over SSH (the sshd
session's `sh -c`, `openssl genpkey`, the `mysql` client, `mv`, `chown`) are
in this machine's /proc as well as `terraform` and the plugin.

  proc_sampler.py start OUTDIR [--watch-pid PID] [--period SECONDS]
                               [--max-seconds SECONDS]
  proc_sampler.py stop OUTDIR

`start` creates OUTDIR (mode 0700; it must not exist), forks the sampler into
the background (its stdio on OUTDIR/sampler.log), waits until its first pass
over /proc is done (so a process started after `start` returns is sampled),
writes its PID to OUTDIR/sampler.pid and returns. The sampler reads /proc
over and over, at most once per --period (default 0.002 s; 0 for a busy
loop): for every process but itself, /proc/<pid>/stat (its comm and start
time) and cmdline, and /proc/<pid>/environ when the process is new or its
command line changed (an exec). It stops on SIGTERM (what `stop` sends; `stop`
then waits for it to exit), when --watch-pid (the test's shell) is gone, or
after --max-seconds (default 3600), so it never outlives a test that died.

Output in OUTDIR, each distinct content kept once (by SHA-256), named after
the first process seen with it: <pid>-<comm>.cmdline and <pid>-<comm>.environ
(NUL-separated, as /proc has them; "~N" before the suffix when a name is
taken), mode 0600. At the end, OUTDIR/summary.txt: "#" lines with the number
of passes and their cycle time (mean, median, 95th percentile, max, in ms),
then one line per comm, "<count>\\t<comm>", the number of distinct processes
(pid and start time; a fork that execs counts under each comm it had) seen
with that comm. `stop` prints the summary.

A process that starts and exits between two passes is missed. Measured on a
2-core machine with ~130 processes: a pass takes 0.6-1.5 ms (median; p95
1-5 ms while compiling), so with the default period a pass starts every
2-3 ms and uses about 30% of one core; every process living 20-30 ms was
caught, and about 17 in 20 of `openssl genpkey` EC runs (under 10 ms each).
"""

import hashlib
import os
import re
import signal
import sys
import time

SAFE = re.compile(r"[^A-Za-z0-9._+-]")
PF_KTHREAD = 0x00200000  # /proc/<pid>/stat flags: a kernel thread (no cmdline, no environ)


def read(path):
    """The whole content of a file, None when it cannot be read (a process
    gone). os.open/os.read: a third of the cost of open() for /proc files."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        chunks = []
        while True:
            b = os.read(fd, 1 << 17)
            if not b:
                return b"".join(chunks)
            chunks.append(b)
    except OSError:
        return None
    finally:
        os.close(fd)


class Sampler:
    def __init__(self, outdir):
        self.outdir = outdir
        self.self_pid = os.getpid()
        self.last = {}  # pid -> (start time, cmdline)
        self.procs = {}  # (pid, start time, comm) -> None
        self.contents = set()  # sha256 of every kept file
        self.names = set()
        self.cycles = []
        self.kept = 0

    def keep(self, pid, comm, kind, data):
        h = hashlib.sha256(kind.encode() + b"\0" + data).digest()
        if h in self.contents:
            return
        self.contents.add(h)
        base = "%d-%s" % (pid, SAFE.sub("_", comm) or "_")
        name, n = base + "." + kind, 1
        while name in self.names:
            n += 1
            name = "%s~%d.%s" % (base, n, kind)
        self.names.add(name)
        fd = os.open(os.path.join(self.outdir, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        self.kept += 1

    def one_pass(self):
        """One pass over /proc. Per process, only its cmdline is read, unless
        the process is new (a /proc/<pid> inode not seen before: a pid
        reused by a new process gets a new inode) or its command line
        changed (an exec): then its stat (comm, start time, kernel thread
        flag) and environ are read too."""
        seen = set()
        with os.scandir("/proc") as it:
            entries = [(e.name, e.inode()) for e in it if e.name.isdigit()]
        for name, ino in entries:
            pid = int(name)
            if pid == self.self_pid:
                continue
            cmdline = read("/proc/%s/cmdline" % name)
            if cmdline is None:
                continue  # gone
            seen.add(pid)
            key = (ino, cmdline)
            if self.last.get(pid) == key:
                continue
            stat = read("/proc/%s/stat" % name)
            # "pid (comm) state ppid pgrp session tty tpgid flags ... starttime(22)"
            lp, rp = (stat or b"").find(b"("), (stat or b"").rfind(b")")
            fields = stat[rp + 2:].split() if stat and lp > 0 and rp > lp else []
            if len(fields) < 20:
                continue  # gone
            self.last[pid] = key
            if int(fields[6]) & PF_KTHREAD:
                continue
            comm = stat[lp + 1:rp].decode("utf-8", "replace")
            environ = read("/proc/%s/environ" % name)
            if not cmdline and not environ:
                del self.last[pid]  # a zombie or exiting: read again next time
                continue
            self.procs[(pid, fields[19], comm)] = None
            if cmdline:
                self.keep(pid, comm, "cmdline", cmdline)
            if environ:
                self.keep(pid, comm, "environ", environ)
        for pid in list(self.last):
            if pid not in seen:
                del self.last[pid]

    def summary(self, started):
        counts = {}
        for _, _, comm in self.procs:
            counts[comm] = counts.get(comm, 0) + 1
        c = sorted(self.cycles) or [0.0]
        ms = lambda x: "%.2f" % (x * 1000)  # noqa: E731
        lines = [
            "# proc_sampler.py: %d passes in %.1f s; one pass over /proc (cycle time): mean %s ms, "
            "median %s ms, p95 %s ms, max %s ms"
            % (len(self.cycles), time.monotonic() - started, ms(sum(c) / len(c)), ms(c[len(c) // 2]),
               ms(c[int(len(c) * 0.95)]), ms(c[-1])),
            "# %d distinct processes (pid, start time, comm); %d files kept; CPU time used %.1f s"
            % (len(self.procs), self.kept, sum(os.times()[:2])),
        ]
        for comm, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append("%d\t%s" % (n, comm))
        return "\n".join(lines) + "\n"


def run(outdir, ready_fd, watch_pid, period, max_seconds):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append("SIGTERM"))
    signal.signal(signal.SIGINT, lambda *_: stop.append("SIGINT"))
    s = Sampler(outdir)
    started = time.monotonic()
    while not stop:
        t0 = time.monotonic()
        s.one_pass()
        t1 = time.monotonic()
        s.cycles.append(t1 - t0)
        if ready_fd is not None:
            os.write(ready_fd, b"1")
            os.close(ready_fd)
            ready_fd = None
        if watch_pid:
            try:
                os.kill(watch_pid, 0)
            except ProcessLookupError:
                stop.append("pid %d gone" % watch_pid)
        if t1 - started > max_seconds:
            stop.append("--max-seconds %g reached" % max_seconds)
        if period > t1 - t0 and not stop:
            time.sleep(period - (t1 - t0))
    text = s.summary(started)
    tmp = os.path.join(outdir, "summary.txt.tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, os.path.join(outdir, "summary.txt"))
    print("proc_sampler: stopped (%s)" % stop[0], flush=True)


def start(outdir, args):
    opts = {"--watch-pid": 0, "--period": 0.002, "--max-seconds": 3600.0}
    it = iter(args)
    for a in it:
        if a not in opts:
            sys.exit("proc_sampler: unknown option %s" % a)
        opts[a] = type(opts[a])(next(it))
    os.mkdir(outdir, 0o700)
    os.chmod(outdir, 0o700)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.setsid()
        os.umask(0o077)
        if os.fork() != 0:
            os._exit(0)
        log = os.open(os.path.join(outdir, "sampler.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(null)
        os.close(log)
        code = 0
        try:
            fd = os.open(os.path.join(outdir, "sampler.pid"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.write(fd, b"%d\n" % os.getpid())
            os.close(fd)
            run(outdir, w, opts["--watch-pid"], opts["--period"], opts["--max-seconds"])
        except BaseException as e:  # noqa: B902 - report anything in the log
            print("proc_sampler: %r" % e, flush=True)
            code = 1
        os._exit(code)
    os.close(w)
    os.waitpid(pid, 0)
    ok = os.read(r, 1)
    os.close(r)
    if ok != b"1":
        sys.stderr.write("proc_sampler: the sampler did not start:\n%s" %
                         (read(os.path.join(outdir, "sampler.log")) or b"").decode("utf-8", "replace"))
        return 1
    return 0


def stop(outdir):
    pid_text = read(os.path.join(outdir, "sampler.pid"))
    if not pid_text:
        sys.exit("proc_sampler: no %s/sampler.pid" % outdir)
    pid = int(pid_text)
    summary = os.path.join(outdir, "summary.txt")
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.01)
    text = read(summary)
    if text is None:
        sys.stderr.write("proc_sampler: no summary from pid %d:\n%s" %
                         (pid, (read(os.path.join(outdir, "sampler.log")) or b"").decode("utf-8", "replace")))
        return 1
    sys.stdout.write(text.decode("utf-8", "replace"))
    return 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "start":
        return start(argv[1], argv[2:])
    if len(argv) == 2 and argv[0] == "stop":
        return stop(argv[1])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
