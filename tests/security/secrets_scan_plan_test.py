#!/usr/bin/env python3
"""Self-test of secrets_scan.py's write-only and saved-plan checks, without
Terraform: a state holding one private key (legitimately), a write-only
password and a write-only key that must be nowhere, and saved plans made as
Terraform makes them (a zip whose members hold the prior state and the
planned values) and as `terraform show -json` renders them.

  - a clean plan (the state's key in its members) passes;
  - a plan member holding the write-only password, the write-only key (as
    PEM, and JSON-escaped in a rendering) or a private key that is not the
    state's (an ephemeral resource's key) fails, naming the member;
  - a state holding the write-only password fails;
  - without the write-only secrets given, the same state passes (the check
    is what finds them);
  - pxc_ca with private_key_file: the path, public_key_pem and its
    fingerprint found elsewhere are no hit; the file's key is.

Prints "ok - ..." / "not ok - ..." and exits 1 on any failure."""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
from tap import Checks  # noqa: E402

SCAN = os.path.join(HERE, "secrets_scan.py")
check = Checks()


def key():
    return subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519"], check=True,
                          capture_output=True, text=True).stdout


def scan(args):
    r = subprocess.run([sys.executable, SCAN] + args, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def write_plan(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in members.items():
            z.writestr(name, text)


def main():
    d = tempfile.mkdtemp(prefix="pxc-scan-plan-")
    state_key, wo_key, ephemeral_key = key(), key(), key()
    password = "wr1te-only-passw0rd"
    state = {"version": 4, "resources": [{
        "mode": "managed", "type": "pxc_node_cert", "name": "n",
        "instances": [{"attributes": {"private_key_pem": state_key, "common_name": "n",
                                      "ca_private_key_pem_wo": None}}]}]}
    state_path = os.path.join(d, "terraform.tfstate")
    with open(state_path, "w") as f:
        json.dump(state, f)
    wo_key_path = os.path.join(d, "wo.key")
    with open(wo_key_path, "w") as f:
        f.write(wo_key)
    common = ["--state", state_path, "--write-only-secret", password,
              "--write-only-secret-file", wo_key_path]
    planned = json.dumps({"planned_values": {"private_key_pem": state_key}})

    clean = os.path.join(d, "clean.tfplan")
    write_plan(clean, {"tfplan": planned, "tfstate": json.dumps(state)})
    rc, out = scan(common + ["--plan", clean])
    check(rc == 0, "a plan holding only the state's key passes", out)

    cases = {
        "the write-only password": planned + password,
        "the write-only key": planned + wo_key,
        "an ephemeral resource's key": planned + ephemeral_key,
    }
    for what, text in cases.items():
        p = os.path.join(d, "bad.tfplan")
        write_plan(p, {"tfplan": text, "tfstate": json.dumps(state)})
        rc, out = scan(common + ["--plan", p])
        check(rc == 1 and "bad.tfplan!tfplan" in out, "a plan member holding %s fails" % what, out)

    rendering = os.path.join(d, "plan.json")
    with open(rendering, "w") as f:
        json.dump({"planned_values": {"x": state_key}, "leak": wo_key}, f)
    rc, out = scan(common + ["--plan", rendering])
    check(rc == 1 and "plan.json" in out, "a JSON plan rendering holding the write-only key fails",
          out)

    leaky = dict(state)
    leaky["resources"] = [dict(state["resources"][0])]
    leaky["resources"][0]["instances"] = [{"attributes": {"private_key_pem": state_key,
                                                          "common_name": password}}]
    leaky_path = os.path.join(d, "leaky.tfstate")
    with open(leaky_path, "w") as f:
        json.dump(leaky, f)
    rc, out = scan(["--state", leaky_path, "--write-only-secret", password])
    check(rc == 1 and "leaky.tfstate" in out, "a state holding the write-only password fails", out)
    rc, out = scan(["--state", leaky_path])
    check(rc == 0, "the same state passes when no write-only secret is given", out)

    # pxc_ca with private_key_file: the path and the public key (with its
    # fingerprint) are in state and anywhere else; neither is a secret.
    pub = subprocess.run(["openssl", "pkey", "-pubout"], input=wo_key, check=True,
                         capture_output=True, text=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub.encode(),
                         check=True, capture_output=True).stdout
    fp = hashlib.sha256(der).hexdigest()
    ca_state = {"version": 4, "resources": [{
        "mode": "managed", "type": "pxc_ca", "name": "ca",
        "instances": [{"attributes": {"private_key_pem": None, "public_key_pem": pub,
                                      "private_key_file": wo_key_path,
                                      "public_key_fingerprint_sha256": fp}}]}]}
    ca_path = os.path.join(d, "ca.tfstate")
    with open(ca_path, "w") as f:
        json.dump(ca_state, f)
    shown = os.path.join(d, "show.json")
    with open(shown, "w") as f:
        json.dump({"values": ca_state["resources"][0]["instances"][0]["attributes"]}, f)
    rc, out = scan(["--min-secrets", "0", "--state", ca_path, "--write-only-secret-file",
                    wo_key_path, shown])
    check(rc == 0, "a key file's path, public_key_pem and its fingerprint are no secrets", out)
    with open(shown, "a") as f:
        f.write(wo_key)
    rc, out = scan(["--min-secrets", "0", "--state", ca_path, "--write-only-secret-file",
                    wo_key_path, shown])
    check(rc == 1 and "show.json" in out, "the key file's key next to them is still found", out)

    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
