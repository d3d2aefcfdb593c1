#!/usr/bin/env python3
"""Secrets scan: proves that no private key or password of a scenario run
leaks outside the places it is meant to be.

What counts as a secret
  Every non-empty string attribute of every resource in the state files
  given (the driver's terraform.tfstate and the per-walk copies that
  `pxc-tfdriver --capture-plugin-proc` keeps in plugin-capture/state/, so
  resources destroyed before the end still count) whose name matches
  /password|passwd|passphrase|private_key|secret|token|key_pem/ (the
  provider's secret-name rule; it covers every attribute the schema marks
  Sensitive: private_key_pem, existing_private_key_pem, ca_private_key_pem,
  key_pem, password, private_key), plus every path a Terraform state lists in
  "sensitive_attributes", plus --secret VALUE and --secret-file FILE (the
  provider configuration's SSH key and database password, which the state
  does not hold). Passwords shorter than 6 characters are refused (they
  would match by chance): exit 2.

What is searched (the variants of each secret)
  A private key (any PEM/OpenSSH block): every base64 body line of 40+
  characters (a line is a substring of the whole PEM, of its JSON-escaped
  form and of the body joined without newlines), the DER in hex (32-byte
  chunks, lower and upper case) and the SHA-256 and SHA-1 of the DER in hex
  (a "fingerprint" of the private key: a hash of private material is never
  logged on purpose; public-key fingerprints are not searched). Left out, as
  they are not secret: pieces whose bytes occur in a certificate or CSR of the
  state (an RSA modulus, an EC point), the first hex chunk (the ASN.1 header,
  the same for every key of a kind) and an OpenSSH key's first line (a fixed
  header). A password (any other secret value, 6+ characters):
  itself, its JSON-escaped form, hex and standard base64, and the hash
  MySQL/MariaDB keep of it for mysql_native_password (SHA1(SHA1(password))
  in hex, as SHOW GRANTS prints it after IDENTIFIED BY PASSWORD '*').
  Independently of the state, any `-----BEGIN [RSA |EC |DSA |ENCRYPTED |
  OPENSSH ]PRIVATE KEY-----` line is a hit (a key we did not know of).

Where it is meant to be (not scanned)
  - the state files themselves;
  - in the work directory: the driver's marker (.pxc-tfdriver), the names the
    scenario's steps write on purpose under "files" (--scenario), the files
    named by --secret-file and --allow (what the scenario's own shell
    commands write, e.g. the lab SSH key the tutorial copies, admin.cnf, keys
    made with openssl), and plugin-capture/driver.environ (the caller's own
    environment, only used as the baseline below);
  - in /proc environ snapshots (*.environ): entries identical to one in
    driver.environ, i.e. inherited unchanged from the caller as a plugin
    inherits Terraform's environment. Anything the driver or the provider
    added is scanned.
  Everything else in the work directory (plugin stderr log, cmdline and
  environ snapshots, files written by run commands that were not allowed),
  every extra path given and every file under --private-tmp (the TMPDIR the
  run gave the driver and the provider, where the provider makes its
  temporary files) is searched for the secrets and for foreign private key
  blocks. With --tmp DIR --newer MARKER, every regular file under DIR (the
  shared /tmp) modified after MARKER is searched for this run's secrets only:
  other programs on the machine write their own keys there. --skip-dir DIR
  leaves out a directory under it that is not the run's: the checkout and its
  build tree (a checkout under /tmp holds ctest's own logs, which quote the
  scenario's commands with the passwords the scenario itself sets).

Output: one "HIT <file>:<offset> (line N): <what>" line per hit, never the
secret itself; a summary on stderr. Exit 0: no hit; 1: hits; 2: usage error,
unreadable state or no secrets found (a scan with nothing to look for
proves nothing; --min-secrets 0 allows it).

  secrets_scan.py --workdir DIR [--scenario S.json] [--allow NAME ...]
                  [--secret-file NAME ...] [--secret VALUE ...]
                  [--state FILE ...] [--private-tmp DIR]
                  [--tmp /tmp --newer MARKER] [PATH ...]
"""

import argparse
import base64
import binascii
import fnmatch
import hashlib
import json
import os
import re
import sys

SECRET_NAME = re.compile(r"password|passwd|passphrase|private_key|secret|token|key_pem", re.I)
GENERIC_PEM = re.compile(
    rb"-----BEGIN ((RSA|EC|DSA|ENCRYPTED|OPENSSH) )?PRIVATE KEY-----")
PEM_BLOCK = re.compile(
    r"-----BEGIN ([A-Z0-9 ]*)-----\s*(.*?)-----END \1-----", re.S)
MIN_PASSWORD = 6
MIN_LINE = 40
MAX_FILE = 64 << 20
STATE_NAMES = {"terraform.tfstate", "terraform.tfstate.tmp"}
MARKER = ".pxc-tfdriver"
CAPTURE = "plugin-capture"


class Secret:
    def __init__(self, label, value):
        self.label = label
        self.value = value


def walk_attrs(obj, path, sensitive_paths, out, public, label):
    """Collects secret strings from a decoded attribute object into `out` and
    the DER of PEM blocks in the other strings (certificates) into `public`."""
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else []
    for k, v in items:
        p = path + [k]
        secret_name = isinstance(k, str) and SECRET_NAME.search(k)
        if isinstance(v, str) and v and (secret_name or tuple(p) in sensitive_paths):
            out.append(Secret("%s.%s" % (label, ".".join(map(str, p))), v))
        elif isinstance(v, str):
            if "-----BEGIN" in v:
                public.extend(ders_of(v))
        else:
            walk_attrs(v, p, sensitive_paths, out, public, label)


def sensitive_paths_of(resource):
    """Terraform's state lists sensitive paths as [{type: get_attr, value: x}, ...]."""
    paths = set()
    for steps in resource.get("sensitive_attributes", []) or []:
        p = []
        for s in steps if isinstance(steps, list) else []:
            if isinstance(s, dict) and "value" in s:
                v = s["value"]
                p.append(v if not isinstance(v, dict) else v.get("value"))
        if p:
            paths.add(tuple(p))
    return paths


def secrets_from_state(path, public):
    with open(path, "rb") as f:
        doc = json.loads(f.read().decode("utf-8"))
    out = []
    resources = doc.get("resources", [])
    for r in resources:
        label = r.get("address") or "%s.%s" % (r.get("type"), r.get("name"))
        if "attributes" in r:  # pxc-tfdriver state
            walk_attrs(r["attributes"], [], sensitive_paths_of(r), out, public, label)
        for inst in r.get("instances", []):  # Terraform state
            walk_attrs(inst.get("attributes", {}), [], sensitive_paths_of(inst), out, public, label)
    return out


def ders_of(text):
    """The DER bytes of every PEM block in `text`."""
    out = []
    for _, body in PEM_BLOCK.findall(text):
        b64 = "".join(ln.strip() for ln in body.splitlines() if ln.strip() and ":" not in ln)
        try:
            out.append(base64.b64decode(b64))
        except (binascii.Error, ValueError):
            pass
    return out


def variants(secret, public_ders):
    """(bytes needle, description) pairs for one secret. Pieces of a key whose
    bytes also occur in public material (`public_ders`: the certificates and
    CSRs in the state, e.g. an RSA modulus or an EC point) and the first hex
    chunk (the ASN.1 header, the same for every key of a kind) are left out, as
    is the first line of an OpenSSH key (a fixed header)."""

    def public(b):
        return any(b in d for d in public_ders)

    v = secret.value
    out = []
    blocks = PEM_BLOCK.findall(v)
    if blocks:
        for kind, body in blocks:
            kind = kind.strip()
            lines = [ln.strip() for ln in body.splitlines()]
            b64 = [ln for ln in lines if ln and ":" not in ln]
            for i, ln in enumerate(b64):
                if len(ln) < MIN_LINE or (i == 0 and "OPENSSH" in kind):
                    continue
                try:
                    if len(ln) % 4 == 0 and public(base64.b64decode(ln)):
                        continue
                except (binascii.Error, ValueError):
                    pass
                out.append((ln.encode(), "%s: %s PEM body line %d" % (secret.label, kind, i + 1)))
            try:
                der = base64.b64decode("".join(b64))
            except (binascii.Error, ValueError):
                der = b""
            if der and "OPENSSH" not in kind:
                for i in range(32, len(der) - 31, 32):
                    if public(der[i:i + 32]):
                        continue
                    hx = der[i:i + 32].hex()
                    out.append((hx.encode(), "%s: DER hex at byte %d" % (secret.label, i)))
                    out.append((hx.upper().encode(), "%s: DER HEX at byte %d" % (secret.label, i)))
            if der:
                for name, h in (("SHA-256", hashlib.sha256), ("SHA-1", hashlib.sha1)):
                    d = h(der).hexdigest()
                    out.append((d.encode(), "%s: %s of the private key" % (secret.label, name)))
                    out.append((d.upper().encode(), "%s: %s of the private key" % (secret.label, name)))
        return out
    if len(v) < MIN_PASSWORD:
        raise ValueError("%s is only %d characters long: too short to search for" % (secret.label, len(v)))
    raw = v.encode()
    out.append((raw, "%s: the password" % secret.label))
    esc = json.dumps(v)[1:-1].encode()
    if esc != raw:
        out.append((esc, "%s: the password (JSON-escaped)" % secret.label))
    out.append((raw.hex().encode(), "%s: the password in hex" % secret.label))
    out.append((base64.b64encode(raw).rstrip(b"="), "%s: the password in base64" % secret.label))
    native = hashlib.sha1(hashlib.sha1(raw).digest()).hexdigest()
    out.append((native.upper().encode(), "%s: its MySQL password hash" % secret.label))
    out.append((native.encode(), "%s: its MySQL password hash (lower case)" % secret.label))
    return out


def line_of(data, offset):
    return data.count(b"\n", 0, offset) + 1


class Scanner:
    def __init__(self, needles):
        self.needles = needles
        self.hits = []
        self.files = 0
        self.bytes = 0

    def scan_bytes(self, name, data, generic=True, base=0, whole=None):
        whole = data if whole is None else whole
        for needle, what in self.needles:
            start = 0
            while True:
                i = data.find(needle, start)
                if i < 0:
                    break
                self.hit(name, whole, base + i, what)
                start = i + 1
        if generic:
            for m in GENERIC_PEM.finditer(data):
                self.hit(name, whole, base + m.start(),
                         "a private key PEM block (%s)" % m.group(0).decode())

    def hit(self, name, whole, offset, what):
        self.hits.append((name, offset, line_of(whole, offset), what))

    def scan_file(self, path, generic=True, inherited=None):
        try:
            st = os.lstat(path)
            if not os.path.isfile(path) or os.path.islink(path):
                return
            if st.st_size > MAX_FILE:
                print("secrets_scan: skipped %s (%d bytes)" % (path, st.st_size), file=sys.stderr)
                return
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            return  # gone or unreadable (e.g. another user's socket dir)
        self.files += 1
        self.bytes += len(data)
        if inherited is not None and path.endswith(".environ"):
            off = 0
            for entry in data.split(b"\0"):
                if entry and entry not in inherited:
                    self.scan_bytes(path, entry, generic, base=off, whole=data)
                off += len(entry) + 1
        else:
            self.scan_bytes(path, data, generic)


def scenario_files(path):
    names = set()
    with open(path, "rb") as f:
        doc = json.loads(f.read().decode("utf-8"))
    for step in doc.get("steps", []):
        names.update((step.get("files") or {}).keys())
    return names


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workdir", help="a pxc-tfdriver work directory")
    ap.add_argument("--scenario", help="the scenario file: its 'files' are allowed in the workdir")
    ap.add_argument("--allow", action="append", default=[],
                    help="a workdir-relative name (glob) written on purpose; not scanned")
    ap.add_argument("--state", action="append", default=[], help="more state files")
    ap.add_argument("--secret", action="append", default=[], help="a secret value")
    ap.add_argument("--secret-file", action="append", default=[],
                    help="a file (workdir-relative or absolute) whose content is a secret; not scanned")
    ap.add_argument("--private-tmp", help="the run's TMPDIR: every file is scanned")
    ap.add_argument("--tmp", help="search files under this directory modified after --newer "
                    "for this run's secrets")
    ap.add_argument("--newer", help="marker file created before the run")
    ap.add_argument("--skip-dir", action="append", default=[],
                    help="a directory under --tmp that is not the run's (e.g. the checkout and "
                         "build tree, whose test logs quote the scenario's own commands)")
    ap.add_argument("--min-secrets", type=int, default=1)
    ap.add_argument("paths", nargs="*", help="more files or directories to scan")
    a = ap.parse_args(argv)
    if bool(a.tmp) != bool(a.newer):
        ap.error("--tmp and --newer go together")

    workdir = os.path.abspath(a.workdir) if a.workdir else None
    states = list(a.state)
    if workdir:
        states.append(os.path.join(workdir, "terraform.tfstate"))
        sd = os.path.join(workdir, CAPTURE, "state")
        if os.path.isdir(sd):
            states += [os.path.join(sd, n) for n in sorted(os.listdir(sd))]

    secrets, public = [], []
    for s in states:
        if not os.path.exists(s):
            continue
        try:
            secrets += secrets_from_state(s, public)
        except (OSError, ValueError) as e:
            print("secrets_scan: cannot read state %s: %s" % (s, e), file=sys.stderr)
            return 2
    for i, v in enumerate(a.secret):
        secrets.append(Secret("--secret #%d" % (i + 1), v))
    secret_paths = set()
    for f in a.secret_file:
        p = os.path.join(workdir, f) if workdir and not os.path.isabs(f) else f
        try:
            with open(p, "r", encoding="utf-8", errors="replace") as fh:
                v = fh.read()
        except OSError as e:
            print("secrets_scan: cannot read --secret-file %s: %s" % (p, e), file=sys.stderr)
            return 2
        secret_paths.add(os.path.abspath(p))
        secrets.append(Secret(os.path.basename(p), v if PEM_BLOCK.search(v) else v.strip()))

    # One needle per distinct value (the same key is in many state copies).
    public = list({d: None for d in public if len(d) >= 32})
    needles, seen = [], set()
    distinct = {}
    for s in secrets:
        distinct.setdefault(s.value, s)
    try:
        for s in distinct.values():
            for n, what in variants(s, public):
                if n not in seen:
                    seen.add(n)
                    needles.append((n, what))
    except ValueError as e:
        print("secrets_scan: %s" % e, file=sys.stderr)
        return 2
    if len(distinct) < a.min_secrets:
        print("secrets_scan: found %d secrets, need at least %d (no state?)" % (len(distinct), a.min_secrets),
              file=sys.stderr)
        return 2

    sc = Scanner(needles)
    inherited = set()
    state_abs = {os.path.abspath(s) for s in states}
    if workdir:
        allowed = set(a.allow) | {MARKER} | STATE_NAMES
        if a.scenario:
            allowed |= scenario_files(a.scenario)
        env_base = os.path.join(workdir, CAPTURE, "driver.environ")
        if os.path.exists(env_base):
            with open(env_base, "rb") as f:
                inherited = set(e for e in f.read().split(b"\0") if e)
        skip = state_abs | secret_paths | {env_base}
        for dirpath, dirnames, filenames in os.walk(workdir):
            dirnames.sort()
            for n in sorted(filenames):
                p = os.path.join(dirpath, n)
                rel = os.path.relpath(p, workdir)
                if p in skip or any(fnmatch.fnmatch(rel, g) for g in allowed):
                    continue
                sc.scan_file(p, inherited=inherited)
    for p in a.paths + ([a.private_tmp] if a.private_tmp else []):
        if os.path.isdir(p):
            for dirpath, dirnames, filenames in os.walk(p):
                for n in sorted(filenames):
                    sc.scan_file(os.path.join(dirpath, n), inherited=inherited or None)
        else:
            sc.scan_file(p, inherited=inherited or None)
    tmp_files = 0
    if a.tmp:
        since = os.stat(a.newer).st_mtime
        newer_abs = os.path.abspath(a.newer)
        priv = os.path.abspath(a.private_tmp) if a.private_tmp else None
        for dirpath, dirnames, filenames in os.walk(a.tmp):
            d = os.path.abspath(dirpath)
            skipped = [os.path.abspath(x) for x in a.skip_dir]
            if any(r and (d == r or d.startswith(r + os.sep)) for r in [workdir, priv] + skipped):
                dirnames[:] = []
                continue
            for n in filenames:
                p = os.path.join(dirpath, n)
                try:
                    st = os.lstat(p)
                except OSError:
                    continue
                if st.st_mtime <= since or os.path.abspath(p) in state_abs | {newer_abs}:
                    continue
                tmp_files += 1
                sc.scan_file(p, generic=False)

    for name, off, line, what in sc.hits:
        print("HIT %s:%d (line %d): %s" % (name, off, line, what))
    print("secrets_scan: %d secrets (%d needles) from %d state files; scanned %d files, %d bytes "
          "(%d new under %s); %d hits"
          % (len(distinct), len(needles), sum(os.path.exists(s) for s in states), sc.files, sc.bytes,
             tmp_files, a.tmp or "-", len(sc.hits)), file=sys.stderr)
    return 1 if sc.hits else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
