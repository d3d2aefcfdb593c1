"""P5: failed writes through HAProxy while TLS is switched on, full vs rolling.

For each repetition and each strategy, on a freshly built plain-text lab:
deploy a CA, node certificates and pxc_node_tls_config on the three nodes;
start tests/e2e/writeloop.py (a new connection per transaction through
HAProxy, 20 writes/s); apply pxc_cluster_restart with the strategy; stop the
loop and read its counts (failed writes, and acknowledged writes that are
missing afterwards); destroy; mark the lab modified (the next run rebuilds
it). Everything goes through the real provider and pxc-tfdriver, inside the
lab's client namespace (tests/e2e/run_scenario.sh), holding
/tmp/pxc-lab.lock for each run. With PXC_BENCH_TERRAFORM (the terraform
binary) and PXC_BENCH_TERRAFORM_RC (a CLI configuration that installs the
provider from a mirror; bench/run --via terraform sets both) the same steps
run through the real `terraform apply` and `terraform destroy` of a JSON
configuration instead, also in the lab's client namespace.

    p5_availability.py --reps N [--short]

Prints progress on stderr and, as the last line on stdout, the P5 JSON object
described in bench/README.md.
"""
import argparse
import fcntl
import json
import os
import statistics
import subprocess
import sys
import tempfile

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
        "strategy": strategy, "flavor": "pxc57", "timeout_seconds": 180,
        "triggers": {n: "${pxc_node_tls_config.%s.id}" % n for n in NODES},
        "node": [{"name": n, "host": ip} for n, ip in NODES.items()]}}}
    loop = '"$PXC_SOURCE_DIR/tests/e2e/writeloop.py"'
    return {
        "provider": {"ssh": {"private_key": "${file:id_ed25519}", "known_hosts": "${file:known_hosts}"}},
        "steps": [
            {"name": "lab credentials", "run": [{"cmd": "cp \"$PXC_LAB_DIR/ssh/id_ed25519\" \"$PXC_LAB_DIR/ssh/known_hosts\" . && echo copied",
                                                 "expect_stdout_contains": "copied"}]},
            {"name": "deploy the TLS configuration (no restart)", "resources": res},
            {"name": "start the write loop", "run": [{"cmd": loop + " start writeloop", "expect_stdout_contains": "write loop started"}]},
            {"name": "restart: " + strategy, "add_resources": restart,
             "expect": {"state": {"pxc_cluster_restart.tls": {"cluster_size": 3}}},
             "run": [{"cmd": "sleep 3; " + loop + " stop writeloop", "expect_stdout_contains": "writes="}]},
            {"name": "destroy, lab marked modified", "destroy": True,
             "run": [{"cmd": "\"$PXC_SOURCE_DIR/tests/testbed/lab\" mark-modified && echo marked", "expect_stdout_contains": "marked"}]},
        ]}


def run_once(strategy, driver, provider):
    with tempfile.TemporaryDirectory(prefix="pxc-p5-") as tmp:
        path = os.path.join(tmp, "p5-%s.json" % strategy)
        with open(path, "w") as f:
            json.dump(scenario(strategy), f)
        work = os.path.join(tmp, "work")
        env = dict(os.environ, PXC_E2E_WORKDIR=work)
        p = subprocess.run(["flock", "/tmp/pxc-lab.lock", "bash", os.path.join(ROOT, "tests/e2e/run_scenario.sh"),
                            driver, provider, path], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=1800)
        result = os.path.join(work, "writeloop", "result.json")
        if p.returncode != 0 or not os.path.exists(result):
            tail = "\n".join(l for l in p.stdout.splitlines() if l.startswith("not ok"))[-2000:]
            raise RuntimeError("%s run failed (exit %d): %s" % (strategy, p.returncode, tail))
        with open(result) as f:
            return json.load(f)


def tf_config(strategy, with_restart):
    """The same resources as scenario(), as Terraform's JSON configuration."""
    lab = os.environ.get("PXC_LAB_DIR", "/var/lib/pxc-lab")
    doc = {"terraform": {"required_providers": {"pxc": {"source": "pxc/pxc"}}},
           "provider": {"pxc": {"ssh": {"private_key": '${file("%s/ssh/id_ed25519")}' % lab,
                                        "known_hosts": '${file("%s/ssh/known_hosts")}' % lab}}},
           "resource": {"pxc_ca": {"cluster": {"key_algorithm": "ECDSA", "common_name": "PXC-CA"}},
                        "pxc_node_cert": {}, "pxc_node_tls_config": {}}}
    for n, ip in NODES.items():
        doc["resource"]["pxc_node_cert"][n] = {
            "ca_cert_pem": "${pxc_ca.cluster.cert_pem}", "ca_private_key_pem": "${pxc_ca.cluster.private_key_pem}",
            "common_name": n, "ip_addresses": [ip], "key_algorithm": "ECDSA"}
        doc["resource"]["pxc_node_tls_config"][n] = {
            "host": ip, "name": n, "flavor": "mariadb", "ca_pem": "${pxc_ca.cluster.cert_pem}",
            "cert_pem": "${pxc_node_cert.%s.cert_pem}" % n, "key_pem": "${pxc_node_cert.%s.private_key_pem}" % n}
    if with_restart:
        doc["resource"]["pxc_cluster_restart"] = {"tls": {
            "strategy": strategy, "flavor": "pxc57", "timeout_seconds": 180,
            "triggers": {n: "${pxc_node_tls_config.%s.id}" % n for n in NODES},
            "node": [{"name": n, "host": ip} for n, ip in NODES.items()]}}
    return doc


def run_once_terraform(strategy, terraform, rc):
    """run_once() through the real terraform CLI."""
    lab = os.path.join(ROOT, "tests", "testbed", "lab")
    with tempfile.TemporaryDirectory(prefix="pxc-p5-") as tmp, open("/tmp/pxc-lab.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if subprocess.run([lab, "status"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
            subprocess.run([lab, "up"], check=True, stdout=subprocess.DEVNULL, timeout=900)
        lab_dir = os.environ.get("PXC_LAB_DIR", "/var/lib/pxc-lab")
        out = subprocess.run(["bash", "-c", 'set -a; source "$1/env"; env -0', "_", lab_dir],
                             stdout=subprocess.PIPE, check=True).stdout
        env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
        for item in out.split(b"\0"):
            if b"=" in item:
                k, v = item.split(b"=", 1)
                env[k.decode()] = v.decode()
        env.update(TF_CLI_CONFIG_FILE=rc, TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1",
                   PXC_SOURCE_DIR=ROOT)
        netns = ["ip", "netns", "exec", env["PXC_LAB_CLIENT_NETNS"]]
        cfg = os.path.join(tmp, "cfg")
        os.mkdir(cfg)
        log = []

        def tf(*a):
            p = subprocess.run(netns + [terraform] + list(a) + ["-input=false", "-no-color"], cwd=cfg, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1800)
            log.append(p.stdout)
            if p.returncode != 0:
                raise RuntimeError("%s: terraform %s exited %d: %s" % (strategy, a[0], p.returncode, p.stdout[-1500:]))

        def write(with_restart):
            with open(os.path.join(cfg, "main.tf.json"), "w") as f:
                json.dump(tf_config(strategy, with_restart), f)

        loop = os.path.join(ROOT, "tests", "e2e", "writeloop.py")
        write(False)
        tf("init")
        tf("apply", "-auto-approve")
        subprocess.run(netns + [loop, "start", "writeloop"], cwd=tmp, env=env, check=True, stdout=subprocess.DEVNULL)
        try:
            write(True)
            tf("apply", "-auto-approve")
        finally:
            subprocess.run(["sleep", "3"])
            subprocess.run(netns + [loop, "stop", "writeloop"], cwd=tmp, env=env, stdout=subprocess.DEVNULL)
            try:
                tf("destroy", "-auto-approve")
            finally:
                subprocess.run([lab, "mark-modified", "bench P5 via terraform"], stdout=subprocess.DEVNULL)
        with open(os.path.join(tmp, "writeloop", "result.json")) as f:
            return json.load(f)


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
    terraform = os.environ.get("PXC_BENCH_TERRAFORM")
    failed = {"full": [], "rolling": []}
    lost = {"full": [], "rolling": []}
    attempted = 0
    for i in range(reps):
        # Alternate which strategy goes first.
        order = ["full", "rolling"] if i % 2 == 0 else ["rolling", "full"]
        only = os.environ.get("PXC_P5_ONLY")  # for debugging one strategy
        if only:
            order = [only]
        for s in order:
            if terraform:
                r = run_once_terraform(s, terraform, os.environ["PXC_BENCH_TERRAFORM_RC"])
            else:
                r = run_once(s, driver, provider)
            print("P5 rep %d %s: writes=%d failed=%d lost=%s longest_gap_s=%s" %
                  (i + 1, s, r["writes"], r["failed"], r["lost"], r["longest_gap_s"]), file=sys.stderr)
            for e in r.get("errors", []):
                print("  " + e, file=sys.stderr)
            failed[s].append(r["failed"])
            lost[s].append(r["lost"] if r["lost"] is not None else -1)
            attempted += r["writes"]
    print(json.dumps({
        "row": "P5",
        "rolling_failed_writes": summary(failed["rolling"]),
        "full_failed_writes": summary(failed["full"]),
        "rolling_lost_writes": summary(lost["rolling"]),
        "full_lost_writes": summary(lost["full"]),
        "writes_attempted": attempted,
        "note": "20 writes/s through HAProxy, a new connection per transaction, during a TLS "
                "enablement of the 3-node lab (rolling: 2 passes with draining); lost = acknowledged "
                "but missing afterwards; applied with " + ("terraform apply" if terraform else "pxc-tfdriver")}))


if __name__ == "__main__":
    main()
