"""P5: failed writes through HAProxy while TLS is switched on, full vs rolling.

For each repetition and each strategy, on a freshly built plain-text lab,
everything through the real `terraform` CLI (bench/tfcli.py: a CLI
configuration of its own with dev_overrides for the provider under test) in
the lab's client namespace, as a user would run it: `terraform apply` of a
CA, node certificates and pxc_node_tls_config on the three nodes; start
tests/e2e/writeloop.py twice (20 writes/s each through HAProxy: a new
connection per transaction, and a persistent connection that reconnects
after an error); `terraform apply` of the configuration with a
pxc_cluster_restart of the strategy added; stop the loops and read their
counts (failed writes, acknowledged writes missing afterwards, the latency of
every write); `terraform destroy`; mark the lab modified (the next run
rebuilds it). Each run holds /tmp/pxc-lab.lock.

    p5_availability.py --reps N [--short]

Environment: PXC_BENCH_PROVIDER (the provider binary), PXC_BENCH_TERRAFORM
(default /usr/local/bin/terraform), PXC_LAB_DIR. Prints progress on stderr
and, as the last line on stdout, the P5 JSON object described in
bench/README.md.
"""
import argparse
import fcntl
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tfcli import TfCli, TfError, tf_json  # noqa: E402

ROOT = os.environ.get("PXC_BENCH_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NODES = {"pxc1": "10.77.0.11", "pxc2": "10.77.0.12", "pxc3": "10.77.0.13"}
LAB_CMD = os.path.join(ROOT, "tests", "testbed", "lab")
LAB_LOCK = "/tmp/pxc-lab.lock"
WRITELOOP = os.path.join(ROOT, "tests", "e2e", "writeloop.py")


def config(strategy, lab, with_restart):
    """The TLS enablement as Terraform JSON configuration: deploy first,
    then the same with the restart added."""
    res = [("pxc_ca", "cluster", {"key_algorithm": "ECDSA", "common_name": "PXC-CA"})]
    for n, ip in NODES.items():
        res.append(("pxc_node_cert", n, {
            "ca_cert_pem": "${pxc_ca.cluster.cert_pem}",
            "ca_private_key_pem": "${pxc_ca.cluster.private_key_pem}",
            "common_name": n, "ip_addresses": [ip], "key_algorithm": "ECDSA"}))
    for n, ip in NODES.items():
        res.append(("pxc_node_tls_config", n, {
            "host": ip, "name": n, "flavor": "mariadb", "ca_pem": "${pxc_ca.cluster.cert_pem}",
            "cert_pem": "${pxc_node_cert.%s.cert_pem}" % n,
            "key_pem": "${pxc_node_cert.%s.private_key_pem}" % n}))
    if with_restart:
        res.append(("pxc_cluster_restart", "tls", {
            "strategy": strategy, "flavor": "mariadb", "timeout_seconds": 180,
            # The lab's service commands (tests/testbed/README.md).
            "stop_command": "service mysql stop", "start_command": "service mysql start",
            "bootstrap_command": "service mysql bootstrap-pxc", "mysql_command": "mysql",
            "triggers": {n: "${pxc_node_tls_config.%s.id}" % n for n in NODES},
            "node": [{"name": n, "host": ip} for n, ip in NODES.items()]}))
    ssh = {"private_key": '${file("%s/ssh/id_ed25519")}' % lab,
           "known_hosts": '${file("%s/ssh/known_hosts")}' % lab}
    return tf_json("pxc/pxc", res, {"ssh": ssh})


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


def lab_env(lab):
    out = subprocess.run(["bash", "-c", 'set -a; source "$1/env"; env -0', "_", lab],
                         stdout=subprocess.PIPE, check=True).stdout
    env = dict(os.environ)
    for item in out.split(b"\0"):
        if b"=" in item:
            k, v = item.split(b"=", 1)
            env[k.decode()] = v.decode()
    return env


def run_once(strategy, cli, n):
    """One TLS enablement with `strategy`, on a lab that is up and fresh;
    returns {"new": writeloop result, "persistent": ...} and the restart's
    terraform apply time."""
    with tempfile.TemporaryDirectory(prefix="pxc-p5-") as tmp, open(LAB_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if subprocess.run([LAB_CMD, "status"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0:
            print("P5: bringing the lab up (fresh)", file=sys.stderr)
            subprocess.run([LAB_CMD, "up"], check=True, stdout=subprocess.DEVNULL, timeout=900)
        lab = os.environ.get("PXC_LAB_DIR", "/var/lib/pxc-lab")
        env = lab_env(lab)
        netns = ["ip", "netns", "exec", env["PXC_LAB_CLIENT_NETNS"]]
        loops = {"new": os.path.join(tmp, "writeloop"),
                 "persistent": os.path.join(tmp, "writeloop-persistent")}
        ws = cli.workspace("p5-%d-%s" % (n, strategy), config(strategy, lab, False))
        sampler = Sampler()
        started = []
        try:
            cli.apply(ws, 7, cmd_prefix=netns)
            sampler.start()
            for mode, d in loops.items():
                p = subprocess.run(netns + [WRITELOOP, "start", d], env=dict(env, WRITELOOP_MODE=mode),
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                if "write loop started" not in p.stdout:
                    raise RuntimeError("write loop (%s) did not start: %s" % (mode, p.stdout[-500:]))
                started.append(d)
            cli.write(ws, config(strategy, lab, True))
            restart = cli.apply(ws, 1, fresh=False, cmd_prefix=netns)
            size = TfCli.state_attributes(ws, "pxc_cluster_restart.tls").get("cluster_size")
            if size != 3:
                raise RuntimeError("%s: cluster_size %s after the restart, expected 3" % (strategy, size))
            time.sleep(3)
        finally:
            for d in started:
                subprocess.run(netns + [WRITELOOP, "stop", d], env=env, stdout=subprocess.DEVNULL)
            sampler.stop.set()
            if sampler.is_alive():
                sampler.join()
            try:
                cli.destroy(ws, cmd_prefix=netns)
            finally:
                subprocess.run([LAB_CMD, "mark-modified", "bench P5 (%s)" % strategy],
                               stdout=subprocess.DEVNULL)
        results = {}
        for mode, d in loops.items():
            with open(os.path.join(d, "result.json")) as f:
                r = results[mode] = json.load(f)
            r["galera_transitions"] = sampler.transitions()
            r["galera_log"] = galera_log_events()
            # The cluster around each write that took over 0.5 s.
            r["slow_write_context"] = [
                {"at_s": at, "latency_s": lat, "ok": ok,
                 "nodes": sampler.around(r["started_at_unix"] + at, r["started_at_unix"] + at + lat)}
                for at, lat, ok in r.get("slowest", []) if lat > 0.5]
        return results, restart.wall_s


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
    work = tempfile.mkdtemp(prefix="pxc-p5-cli-")
    try:
        measure(reps, TfCli(work, {"pxc/pxc": provider}))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(reps, cli):
    restart_s = {"full": [], "rolling": []}
    failed = {"full": [], "rolling": []}
    lost = {"full": [], "rolling": []}
    pinned_failed = {"full": [], "rolling": []}
    max_latency = {"full": [], "rolling": []}
    over_1s = {"full": [], "rolling": []}
    slowest = {"full": [], "rolling": []}
    timeline = {"full": [], "rolling": []}
    errors = {"full": [], "rolling": []}  # the failed writes' first errors, per run and loop
    failed_runs = []  # runs whose terraform apply/destroy failed: the others still count
    attempted = 0
    for i in range(reps):
        # Alternate which strategy goes first.
        order = ["full", "rolling"] if i % 2 == 0 else ["rolling", "full"]
        only = os.environ.get("PXC_P5_ONLY")  # for debugging one strategy
        if only:
            order = [only]
        for s in order:
            try:
                both, restart_s_once = run_once(s, cli, sum(map(len, restart_s.values())) +
                                                len(failed_runs))
            except (TfError, RuntimeError, OSError, subprocess.SubprocessError) as e:
                print("P5 rep %d %s: the run failed: %s" % (i + 1, s, e), file=sys.stderr)
                failed_runs.append({"rep": i + 1, "strategy": s, "error": str(e)[-3000:]})
                continue
            restart_s[s].append(round(restart_s_once, 2))
            print("P5 rep %d %s: terraform apply of the restart took %.1f s"
                  % (i + 1, s, restart_s_once), file=sys.stderr)
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
                if r.get("errors"):
                    errors[s].append({"rep": i + 1, "mode": mode, "failed": r["failed"],
                                      "failed_at_s": r.get("failed_at_s"), "errors": r["errors"]})
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
        "failed_write_errors": errors,
        "failed_runs": failed_runs,
        "rolling_restart_apply_s": summary(restart_s["rolling"]),
        "full_restart_apply_s": summary(restart_s["full"]),
        "through": "terraform apply/destroy (%s) in the lab's client namespace" % cli.version,
        "note": "two write loops at once, each 20 writes/s through HAProxy, during a TLS "
                "enablement of the 3-node lab (rolling: 2 passes, 6 drained restarts): one opens "
                "a new connection per transaction (failed_writes), one keeps a persistent "
                "connection and reconnects after an error (persistent_failed_writes); lost = "
                "acknowledged but missing afterwards (both loops); latency = start of a write to "
                "its commit acknowledged or failed (both loops); restart_apply_s = the `terraform "
                "apply` that adds pxc_cluster_restart"}))


if __name__ == "__main__":
    main()
