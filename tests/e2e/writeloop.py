#!/usr/bin/python3
"""Write loop through the load balancer, to count the writes a restart breaks.

Each transaction opens a NEW connection (through HAProxy, so each lands on a
node the load balancer thinks healthy), inserts one row and commits. A write
fails when connecting, inserting or committing raises. At the end every
acknowledged row is looked up again, so a write that was acknowledged and
then lost counts too.

    writeloop.py start DIR   start the loop in the background (returns at once)
    writeloop.py stop DIR    stop it; prints one line
                             "writes=N failed=M lost=L longest_gap_s=G"
                             and the first errors; exit 0 when it ran

The loop inherits no file descriptor but stdio and ends by itself after
WRITELOOP_MAX_SECONDS (default 1800) if never stopped. Connection settings
from the test bed's environment: PXC_LAB_HAPROXY_HOST,
PXC_LAB_HAPROXY_PORT, PXC_LAB_MYSQL_USER, PXC_LAB_MYSQL_PASSWORD. Rate:
WRITELOOP_RATE writes per second (default 20). Uses Debian's python3-mysqldb.
"""
import json
import os
import sys
import time
import uuid

import MySQLdb


def connect():
    return MySQLdb.connect(
        host=os.environ.get("PXC_LAB_HAPROXY_HOST", "10.77.0.10"),
        port=int(os.environ.get("PXC_LAB_HAPROXY_PORT", "3306")),
        user=os.environ["PXC_LAB_MYSQL_USER"],
        passwd=os.environ["PXC_LAB_MYSQL_PASSWORD"],
        connect_timeout=3,
    )


def setup():
    c = connect()
    cur = c.cursor()
    cur.execute("CREATE DATABASE IF NOT EXISTS pxc_writeloop")
    cur.execute(
        "CREATE TABLE IF NOT EXISTS pxc_writeloop.w (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
        "run CHAR(32) NOT NULL, seq INT NOT NULL, KEY (run))")
    c.commit()
    c.close()


def loop(d):
    run = uuid.uuid4().hex
    rate = float(os.environ.get("WRITELOOP_RATE", "20"))
    ok_seqs, errors = [], []
    failed, seq = 0, 0
    last_ok = time.monotonic()
    longest_gap = 0.0
    # A loop whose stop never comes (the run failed first) ends by itself.
    deadline = time.monotonic() + float(os.environ.get("WRITELOOP_MAX_SECONDS", "1800"))
    while not os.path.exists(os.path.join(d, "stop")) and time.monotonic() < deadline:
        started = time.monotonic()
        seq += 1
        try:
            c = connect()
            try:
                cur = c.cursor()
                cur.execute("INSERT INTO pxc_writeloop.w (run, seq) VALUES (%s, %s)", (run, seq))
                c.commit()
            finally:
                c.close()
            ok_seqs.append(seq)
            now = time.monotonic()
            longest_gap = max(longest_gap, now - last_ok)
            last_ok = now
        except Exception as e:  # every failure counts, whatever raised it
            failed += 1
            if len(errors) < 5:
                errors.append("write %d: %s" % (seq, e))
        time.sleep(max(0.0, 1.0 / rate - (time.monotonic() - started)))
    # Every acknowledged write must still be there.
    lost = None
    for _ in range(10):
        try:
            c = connect()
            cur = c.cursor()
            cur.execute("SELECT seq FROM pxc_writeloop.w WHERE run = %s", (run,))
            present = {r[0] for r in cur.fetchall()}
            c.close()
            lost = len([s for s in ok_seqs if s not in present])
            break
        except Exception as e:
            errors.append("verify: %s" % e)
            time.sleep(1)
    result = {"writes": seq, "failed": failed, "lost": lost,
              "longest_gap_s": round(longest_gap, 2), "errors": errors}
    with open(os.path.join(d, "result.json.tmp"), "w") as f:
        json.dump(result, f)
    os.rename(os.path.join(d, "result.json.tmp"), os.path.join(d, "result.json"))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit(__doc__)
    cmd, d = sys.argv[1], sys.argv[2]
    os.makedirs(d, exist_ok=True)
    if cmd == "start":
        for f in ("stop", "result.json"):
            if os.path.exists(os.path.join(d, f)):
                os.unlink(os.path.join(d, f))
        setup()
        if os.fork() == 0:
            os.setsid()
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            # Inherit nothing else: a descriptor of the caller's flock on
            # the lab lock would keep the lab locked as long as the loop runs.
            os.closerange(3, os.sysconf("SC_OPEN_MAX"))
            try:
                loop(d)
            finally:
                os._exit(0)
        print("write loop started")
        return
    open(os.path.join(d, "stop"), "w").close()
    path = os.path.join(d, "result.json")
    deadline = time.monotonic() + 60
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            sys.exit("write loop did not stop within 60 s")
        time.sleep(0.2)
    with open(path) as f:
        r = json.load(f)
    print("writes=%d failed=%d lost=%s longest_gap_s=%s" %
          (r["writes"], r["failed"], r["lost"], r["longest_gap_s"]))
    for e in r["errors"]:
        print("  " + e)


if __name__ == "__main__":
    main()
