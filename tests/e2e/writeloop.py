#!/usr/bin/python3
"""Write loop through the load balancer, to count the writes a restart breaks.

Two client models (WRITELOOP_MODE):
- "new" (default): each transaction opens a NEW connection (through HAProxy,
  so each lands on a node the load balancer thinks healthy), inserts one row
  and commits;
- "persistent": one connection kept open, as an application's pool keeps
  it, pinned to whichever node HAProxy picked; after an error it is closed
  and the next write reconnects (through HAProxy again).
A write fails when connecting, inserting or committing raises. At the end
every acknowledged row is looked up again, so a write that was acknowledged
and then lost counts too. Each write's latency (start to commit acknowledged
or failed) is recorded: result.json has the longest, how many took over 1 s,
and the slowest ones with their time since the loop started.

    writeloop.py start DIR   start the loop in the background (returns at once)
    writeloop.py stop DIR    stop it; prints one line
                             "writes=N failed=M lost=L longest_gap_s=G
                             max_latency_s=S over_1s=K"
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
    persistent = os.environ.get("WRITELOOP_MODE", "new") == "persistent"
    ok_seqs, errors = [], []
    failed, seq = 0, 0
    t0 = last_ok = time.monotonic()
    longest_gap = 0.0
    latencies = []  # (seconds since start, latency seconds, ok)
    failures_at = []
    conn = None
    # A loop whose stop never comes (the run failed first) ends by itself.
    deadline = time.monotonic() + float(os.environ.get("WRITELOOP_MAX_SECONDS", "1800"))
    while not os.path.exists(os.path.join(d, "stop")) and time.monotonic() < deadline:
        started = time.monotonic()
        seq += 1
        node = "?"
        try:
            c = conn if conn is not None else connect()
            try:
                cur = c.cursor()
                # Which node HAProxy picked (for the report of a failed write).
                cur.execute("SELECT @@wsrep_node_name")
                node = cur.fetchone()[0]
                cur.execute("INSERT INTO pxc_writeloop.w (run, seq) VALUES (%s, %s)", (run, seq))
                c.commit()
            except Exception:
                c.close()  # a persistent connection is dropped after an error
                conn = None
                raise
            if persistent:
                conn = c
            else:
                c.close()
            ok_seqs.append(seq)
            now = time.monotonic()
            longest_gap = max(longest_gap, now - last_ok)
            last_ok = now
            latencies.append((started - t0, now - started, True))
        except Exception as e:  # every failure counts, whatever raised it
            failed += 1
            latencies.append((started - t0, time.monotonic() - started, False))
            failures_at.append(round(started - t0, 2))
            if len(errors) < 5:
                at = time.time() - (time.monotonic() - started)
                errors.append("write %d at %s (%.2f s into the loop) on %s: %s" % (
                    seq, time.strftime("%H:%M:%S", time.gmtime(at)) + ".%03dZ" % (at % 1 * 1000),
                    started - t0, node, e))
        time.sleep(max(0.0, 1.0 / rate - (time.monotonic() - started)))
    if conn is not None:
        conn.close()
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
    slowest = sorted(latencies, key=lambda x: -x[1])[:10]
    result = {"mode": "persistent" if persistent else "new",
              "writes": seq, "failed": failed, "lost": lost,
              "longest_gap_s": round(longest_gap, 2), "errors": errors,
              "failed_at_s": failures_at[:50],
              "max_latency_s": round(max((x[1] for x in latencies), default=0.0), 3),
              "over_1s": sum(1 for x in latencies if x[1] > 1.0),
              "slowest": [[round(a, 2), round(b, 3), ok] for a, b, ok in slowest],
              "started_at_unix": round(time.time() - (time.monotonic() - t0), 2)}
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
    print("writes=%d failed=%d lost=%s longest_gap_s=%s max_latency_s=%s over_1s=%d" %
          (r["writes"], r["failed"], r["lost"], r["longest_gap_s"], r["max_latency_s"],
           r["over_1s"]))
    for e in r["errors"]:
        print("  " + e)


if __name__ == "__main__":
    main()
