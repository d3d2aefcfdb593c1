"""P5: failed writes through HAProxy while TLS is switched on, full vs rolling.

For each repetition and each strategy, on a freshly built plain-text lab:
deploy a CA, node certificates and pxc_node_tls_config on the three nodes;
start tests/e2e/writeloop.py (a new connection per transaction through
HAProxy, 20 writes/s); apply pxc_cluster_restart with the strategy; stop the
loop and read its counts (failed writes, and acknowledged writes that are
missing afterwards); destroy; mark the lab modified (the next run rebuilds
it). Everything goes through the real provider and pxc-tfdriver, inside the
lab's client namespace (tests/e2e/run_scenario.sh), holding
/tmp/pxc-lab.lock for each run.

    p5_availability.py --reps N [--short]

Prints progress on stderr and, as the last line on stdout, the P5 JSON object
described in bench/README.md.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.environ.get("PXC_BENCH_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NODES = {"pxc1": "10.77.0.11", "pxc2": "10.77.0.12", "pxc3": "10.77.0.13"}


def scenario(strategy):
    res = {"pxc_ca.cluster": {"type": "pxc_ca", "config": {"key_algorithm": "ECDSA", "common_name": "PXC-CA"}}}
    for n, ip in NODES.items():
        res["pxc_node_cert." + n] = {"type": "pxc_node_cert", "config": {
            "ca_cert_pem": "${pxc_ca.cluster.cert_pem}", "ca_private_key_pem": "${pxc_ca.cluster.private_key_pem}",
            "common_name": n, "ip_addresses": [ip], "key_algorithm": "ECDSA"}}
        res["pxc_node_tls_config." + n] = {"type": "pxc_node_tls_config", "config": {
            "host": ip, "name": n, "flavor": "mariadb", "ca_pem": "${pxc_ca.cluster.cert_pem}",
            "cert_pem": "${pxc_node_cert.%s.cert_pem}" % n, "key_pem": "${pxc_node_cert.%s.private_key_pem}" % n}}
    restart = {"pxc_cluster_restart.tls": {"type": "pxc_cluster_restart", "config": {
        "strategy": strategy, "flavor": "mariadb", "timeout_seconds": 180,
        # The lab's service commands (tests/testbed/README.md), as e2e_rolling.
        "stop_command": "service mysql stop", "start_command": "service mysql start",
        "bootstrap_command": "service mysql bootstrap-pxc", "mysql_command": "mysql",
        "triggers": {n: "${pxc_node_tls_config.%s.id}" % n for n in NODES},
        "node": [{"name": n, "host": ip} for n, ip in NODES.items()]}}}
    loop = '"$PXC_SOURCE_DIR/tests/e2e/writeloop.py"'
    pinned = "WRITELOOP_MODE=persistent " + loop
    return {
        "provider": {"ssh": {"private_key": "${file:id_ed25519}", "known_hosts": "${file:known_hosts}"}},
        "steps": [
            {"name": "lab credentials", "run": [{"cmd": "cp \"$PXC_LAB_DIR/ssh/id_ed25519\" \"$PXC_LAB_DIR/ssh/known_hosts\" . && echo copied",
                                                 "expect_stdout_contains": "copied"}]},
            {"name": "deploy the TLS configuration (no restart)", "resources": res},
            {"name": "start the write loops (new connection per write; persistent connection)",
             "run": [{"cmd": loop + " start writeloop", "expect_stdout_contains": "write loop started"},
                     {"cmd": pinned + " start writeloop-persistent", "expect_stdout_contains": "write loop started"}]},
            {"name": "restart: " + strategy, "add_resources": restart,
             "expect": {"state": {"pxc_cluster_restart.tls": {"cluster_size": 3}}},
             "run": [{"cmd": "sleep 3; " + loop + " stop writeloop", "expect_stdout_contains": "writes="},
                     {"cmd": loop + " stop writeloop-persistent", "expect_stdout_contains": "writes="}]},
            {"name": "destroy, lab marked modified", "destroy": True,
             "run": [{"cmd": "\"$PXC_SOURCE_DIR/tests/testbed/lab\" mark-modified && echo marked", "expect_stdout_contains": "marked"}]},
        ]}


LAB = os.environ.get("PXC_LAB_DIR", "/var/lib/pxc-lab")
SAMPLED = ("wsrep_local_state_comment", "wsrep_flow_control_paused_ns", "wsrep_flow_control_sent",
           "wsrep_flow_control_recv", "wsrep_local_recv_queue", "wsrep_cluster_size")


class Sampler(threading.Thread):
    """Every 100 ms, each node's Galera state and flow-control counters over
    its local socket (root, from the root namespace): what the cluster was
    doing when a write was blocked."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.samples = []  # (unix time, node, {variable: value})

    def run(self):
        import MySQLdb
        conns = {}
        while not self.stop.wait(0.1):
            for n in NODES:
                try:
                    if n not in conns:
                        conns[n] = MySQLdb.connect(
                            unix_socket=os.path.join(LAB, n, "run", "mysqld", "mysqld.sock"),
                            user="root", connect_timeout=1)
                    cur = conns[n].cursor()
                    cur.execute("SHOW GLOBAL STATUS WHERE Variable_name IN (%s)"
                                % ",".join("'%s'" % v for v in SAMPLED))
                    self.samples.append((time.time(), n, dict(cur.fetchall())))
                except Exception:  # node down or restarting
                    conns.pop(n, None)
                    self.samples.append((time.time(), n, {"wsrep_local_state_comment": "down"}))

    def transitions(self):
        """Per node, the samples where its state or cluster size changed."""
        out, last = [], {}
        for t, n, v in self.samples:
            key = (v.get("wsrep_local_state_comment"), v.get("wsrep_cluster_size"))
            if last.get(n) != key:
                last[n] = key
                out.append([round(t, 2), n, key[0], key[1]])
        return out

    def around(self, t0, t1):
        """What happened on each node between t0 and t1 (unix seconds)."""
        out = {}
        for n in NODES:
            ss = [(t, v) for t, node, v in self.samples if node == n and t0 - 0.2 <= t <= t1 + 0.2]
            if not ss:
                continue
            states = []
            for _, v in ss:
                st = v.get("wsrep_local_state_comment")
                if not states or states[-1] != st:
                    states.append(st)
            def delta(k):
                vals = [int(v[k]) for _, v in ss if k in v]
                return (max(vals) - min(vals)) if vals else 0
            out[n] = {"states": states,
                      "fc_paused_ms": round(delta("wsrep_flow_control_paused_ns") / 1e6, 1),
                      "fc_sent": delta("wsrep_flow_control_sent"),
                      "max_recv_queue": max((int(v.get("wsrep_local_recv_queue", 0)) for _, v in ss),
                                            default=0)}
        return out


GALERA_EVENTS = ("New cluster view", "Shifting", "IST ", "Synchronized with group",
                 "Member ", "State transfer", "Quorum results", "view(view_id",
                 "Flow-control", "flow control", "SST", "Receiving IST", "donor")


def galera_log_events():
    """The Galera lines of every node's error log that tell the join's
    phases (1 s resolution, as mariadbd writes them), in time order."""
    out = []
    for n in NODES:
        try:
            with open(os.path.join(LAB, n, "log", "mysqld.err"), errors="replace") as f:
                for line in f:
                    if "WSREP" in line and any(e in line for e in GALERA_EVENTS):
                        out.append("%s %s" % (n, line.strip()[:220]))
        except OSError:
            pass
    return out[-400:]


def run_once(strategy, driver, provider):
    with tempfile.TemporaryDirectory(prefix="pxc-p5-") as tmp:
        path = os.path.join(tmp, "p5-%s.json" % strategy)
        with open(path, "w") as f:
            json.dump(scenario(strategy), f)
        work = os.path.join(tmp, "work")
        env = dict(os.environ, PXC_E2E_WORKDIR=work)
        sampler = Sampler()
        sampler.start()
        try:
            p = subprocess.run(["flock", "/tmp/pxc-lab.lock", "bash",
                                os.path.join(ROOT, "tests/e2e/run_scenario.sh"),
                                driver, provider, path], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, timeout=1800)
        finally:
            sampler.stop.set()
            sampler.join()
        results = {}
        for mode, sub in (("new", "writeloop"), ("persistent", "writeloop-persistent")):
            result = os.path.join(work, sub, "result.json")
            if p.returncode != 0 or not os.path.exists(result):
                tail = "\n".join(l for l in p.stdout.splitlines() if l.startswith("not ok"))[-2000:]
                raise RuntimeError("%s run failed (exit %d): %s" % (strategy, p.returncode, tail))
            with open(result) as f:
                results[mode] = json.load(f)
            r = results[mode]
            r["galera_transitions"] = sampler.transitions()
            r["galera_log"] = galera_log_events()
            # The cluster around each write that took over 0.5 s.
            r["slow_write_context"] = [
                {"at_s": at, "latency_s": lat, "ok": ok,
                 "nodes": sampler.around(r["started_at_unix"] + at, r["started_at_unix"] + at + lat)}
                for at, lat, ok in r.get("slowest", []) if lat > 0.5]
        return results


def summary(samples):
    if not samples:
        return None
    return {"min": min(samples), "median": statistics.median(samples), "max": max(samples), "samples": samples}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--short", action="store_true")
    args = ap.parse_args()
    reps = 1 if args.short else max(1, args.reps)
    provider = os.environ.get("PXC_BENCH_PROVIDER") or os.path.join(ROOT, "build/provider/terraform-provider-pxc")
    build = os.path.dirname(os.path.dirname(os.path.abspath(provider)))
    driver = os.environ.get("PXC_BENCH_DRIVER") or os.path.join(build, "tests/driver/pxc-tfdriver")
    failed = {"full": [], "rolling": []}
    lost = {"full": [], "rolling": []}
    pinned_failed = {"full": [], "rolling": []}
    max_latency = {"full": [], "rolling": []}
    over_1s = {"full": [], "rolling": []}
    slowest = {"full": [], "rolling": []}
    timeline = {"full": [], "rolling": []}
    attempted = 0
    for i in range(reps):
        # Alternate which strategy goes first.
        order = ["full", "rolling"] if i % 2 == 0 else ["rolling", "full"]
        only = os.environ.get("PXC_P5_ONLY")  # for debugging one strategy
        if only:
            order = [only]
        for s in order:
            both = run_once(s, driver, provider)
            for mode, r in both.items():
                print("P5 rep %d %s, %s connection: writes=%d failed=%d (at %s s) lost=%s "
                      "longest_gap_s=%s max_latency_s=%s over_1s=%d slowest=%s" %
                      (i + 1, s, mode, r["writes"], r["failed"], r.get("failed_at_s"), r["lost"],
                       r["longest_gap_s"], r.get("max_latency_s"), r.get("over_1s", 0),
                       r.get("slowest", [])[:5]), file=sys.stderr)
                for e in r.get("errors", []):
                    print("  " + e, file=sys.stderr)
                for c in r.get("slow_write_context", []):
                    print("  slow write at %.2f s (%.3f s, %s): %s" % (
                        c["at_s"], c["latency_s"], "ok" if c["ok"] else "failed",
                        json.dumps(c["nodes"], sort_keys=True)), file=sys.stderr)
                lost[s].append(r["lost"] if r["lost"] is not None else -1)
                attempted += r["writes"]
                max_latency[s].append(r.get("max_latency_s", 0))
                over_1s[s].append(r.get("over_1s", 0))
                slowest[s].append({"mode": mode, "slowest": r.get("slowest", [])[:5],
                                   "started_at_unix": r.get("started_at_unix"),
                                   "context": r.get("slow_write_context", [])})
                if mode == "new":  # the same cluster for both loops
                    timeline[s].append({"started_at_unix": r.get("started_at_unix"),
                                        "galera_transitions": r.get("galera_transitions", []),
                                        "galera_log": r.get("galera_log", [])})
            failed[s].append(both["new"]["failed"])
            pinned_failed[s].append(both["persistent"]["failed"])
    print(json.dumps({
        "row": "P5",
        "rolling_failed_writes": summary(failed["rolling"]),
        "full_failed_writes": summary(failed["full"]),
        "rolling_lost_writes": summary(lost["rolling"]),
        "full_lost_writes": summary(lost["full"]),
        "rolling_persistent_failed_writes": summary(pinned_failed["rolling"]),
        "full_persistent_failed_writes": summary(pinned_failed["full"]),
        "rolling_max_write_latency_s": summary(max_latency["rolling"]),
        "full_max_write_latency_s": summary(max_latency["full"]),
        "rolling_writes_over_1s": summary(over_1s["rolling"]),
        "full_writes_over_1s": summary(over_1s["full"]),
        "slowest_writes": slowest,
        "galera_timeline": timeline,
        "writes_attempted": attempted,
        "note": "two write loops at once, each 20 writes/s through HAProxy, during a TLS "
                "enablement of the 3-node lab (rolling: 2 passes, 6 drained restarts): one opens "
                "a new connection per transaction (failed_writes), one keeps a persistent "
                "connection and reconnects after an error (persistent_failed_writes); lost = "
                "acknowledged but missing afterwards (both loops); latency = start of a write to "
                "its commit acknowledged or failed (both loops)"}))


if __name__ == "__main__":
    main()
