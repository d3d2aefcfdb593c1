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
  key_pem, password, private_key; not a name ending in _file, which holds a
  path: private_key_file, nor a value that is only public PEM blocks such as
  public_key_pem, whose hashes are public key fingerprints), plus every
  path a Terraform state lists in "sensitive_attributes", plus --secret VALUE and --secret-file FILE (the
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
    inherits Terraform's environment, or to one in an --inherited-environ
    FILE (NUL-separated, `env -0` of the shell that runs `terraform`: the
    real-CLI tests' TF_VAR_* passwords, which Terraform hands on to the
    plugin; the file itself is not scanned). Anything the driver, Terraform,
    the provider or a program they ran added or changed is scanned;
    *.cmdline snapshots are scanned whole.
  Everything else in the work directory (plugin stderr log, cmdline and
  environ snapshots, files written by run commands that were not allowed),
  every extra path given (e.g. the directory of tests/security/
  proc_sampler.py, which keeps the cmdline and environ of every process of
  the machine while Terraform runs: terraform, the plugin, and the commands
  the provider runs on the test bed's nodes, which share this machine's
  /proc) and every file under --private-tmp (the TMPDIR the
  run gave the driver and the provider, where the provider makes its
  temporary files) is searched for the secrets and for foreign private key
  blocks. With --tmp DIR --newer MARKER, every regular file under DIR (the
  shared /tmp) modified after MARKER is searched for this run's secrets only:
  other programs on the machine write their own keys there. --skip-dir DIR
  leaves out a directory under it that is not the run's: the checkout and its
  build tree (a checkout under /tmp holds ctest's own logs, which quote the
  scenario's commands with the passwords the scenario itself sets).

Write-only secrets and saved plans
  --write-only-secret VALUE and --write-only-secret-file FILE name secrets
  that Terraform must never store (the values given to write-only arguments
  or through ephemeral variables, e.g. a password_wo): they are searched like
  the others and also in the state files. --plan FILE names a saved plan
  (`terraform plan -out`, a zip: every member is searched, decompressed) or
  a plan rendering (`terraform show -json`). A plan legitimately holds the
  state's own secrets (its prior state and planned values), so it is
  searched for the write-only secrets, the --secret values (provider
  configuration secrets: a plan stores variable values, so such secrets
  must come from ephemeral variables or the environment) and any private
  key block that is not one of the state's keys (e.g. the key of an
  ephemeral pxc_client_cert).

Output: one "HIT <file>:<offset> (line N): <what>" line per hit, never the
secret itself; a summary on stderr. Exit 0: no hit; 1: hits; 2: usage error,
unreadable state or no secrets found (a scan with nothing to look for
proves nothing; --min-secrets 0 allows it).

  secrets_scan.py --workdir DIR [--scenario S.json] [--allow NAME ...]
                  [--secret-file NAME ...] [--secret VALUE ...]
                  [--state FILE ...] [--private-tmp DIR]
                  [--tmp /tmp --newer MARKER] [--inherited-environ FILE ...]
                  [PATH ...]
"""

import argparse
import base64
import binascii
import fnmatch
import hashlib
import json
import io
import os
import re
import sys
import zipfile

SECRET_NAME = re.compile(r"password|passwd|passphrase|private_key|secret|token|key_pem", re.I)
# An attribute named *_file holds a path (pxc_ca's private_key_file), not a
# secret: what the file holds is given with --write-only-secret-file.
PATH_NAME = re.compile(r"_file$")
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


def only_public_pem(v):
    """True for PEM text whose blocks are all public (PUBLIC KEY, CERTIFICATE,
    CERTIFICATE REQUEST): no private key block, nothing else around them."""
    blocks = PEM_BLOCK.findall(v)
    if not blocks or any("PRIVATE" in kind for kind, _ in blocks):
        return False
    return PEM_BLOCK.sub("", v).strip() == ""


def walk_attrs(obj, path, sensitive_paths, out, public, label):
    """Collects secret strings from a decoded attribute object into `out` and
    the DER of PEM blocks in the other strings (certificates) into `public`."""
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else []
    for k, v in items:
        p = path + [k]
        secret_name = isinstance(k, str) and SECRET_NAME.search(k) and not PATH_NAME.search(k)
        if isinstance(v, str) and only_public_pem(v):
            # public_key_pem, a CSR: named like a secret, holding none.
            public.extend(ders_of(v))
        elif isinstance(v, str) and v and (secret_name or tuple(p) in sensitive_paths):
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


KEY_BEGIN = re.compile(rb"-----BEGIN ((?:RSA |EC |DSA |ENCRYPTED |OPENSSH )?PRIVATE KEY)-----")


def private_key_blocks(data):
    """(offset, DER or None) of every private key PEM block in `data`, whose
    newlines may be real or JSON-escaped ("\\n")."""
    out = []
    for m in KEY_BEGIN.finditer(data):
        end = data.find(b"-----END " + m.group(1) + b"-----", m.end())
        der = None
        if end > 0:
            body = data[m.end():end].replace(b"\\n", b"\n").replace(b"\\r", b"")
            b64 = b"".join(ln.strip() for ln in body.splitlines() if ln.strip() and b":" not in ln)
            try:
                der = base64.b64decode(b64, validate=True)
            except (binascii.Error, ValueError):
                der = None
        out.append((m.start(), der))
    return out


def line_of(data, offset):
    return data.count(b"\n", 0, offset) + 1


class Scanner:
    def __init__(self, needles):
        self.needles = needles
        self.hits = []
        self.files = 0
        self.bytes = 0
        self.inherited = 0  # environ entries left out as inherited

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

    def scan_plan_bytes(self, name, data, known_keys):
        """A saved plan's member or a plan rendering: the needles (write-only
        and configuration secrets only) and private keys not in the state."""
        self.scan_bytes(name, data, generic=False)
        for off, der in private_key_blocks(data):
            if der is None or der not in known_keys:
                self.hit(name, data, off, "a private key block that is not one of the state's keys")

    def scan_plan(self, path, known_keys):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            print("secrets_scan: cannot read plan %s: %s" % (path, e), file=sys.stderr)
            return False
        self.files += 1
        self.bytes += len(data)
        if data.startswith(b"PK\x03\x04"):
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as z:
                    for info in z.infolist():
                        member = z.read(info)
                        self.bytes += len(member)
                        self.scan_plan_bytes("%s!%s" % (path, info.filename), member, known_keys)
            except zipfile.BadZipFile as e:
                print("secrets_scan: %s is not a readable plan: %s" % (path, e), file=sys.stderr)
                return False
        else:
            self.scan_plan_bytes(path, data, known_keys)
        return True

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
                elif entry:
                    self.inherited += 1
                off += len(entry) + 1
        else:
            self.scan_bytes(path, data, generic)


def environ_entries(path):
    """The entries of a NUL-separated environment (`env -0`, /proc/<pid>/environ)."""
    with open(path, "rb") as f:
        return set(e for e in f.read().split(b"\0") if e)


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
    ap.add_argument("--write-only-secret", action="append", default=[],
                    help="a value Terraform must never store: also searched in the state files "
                         "and plans")
    ap.add_argument("--write-only-secret-file", action="append", default=[],
                    help="a file whose content is such a value; not scanned")
    ap.add_argument("--plan", action="append", default=[],
                    help="a saved plan (zip) or `terraform show -json` output")
    ap.add_argument("--inherited-environ", action="append", default=[],
                    help="a NUL-separated environment (`env -0`) of the caller: in *.environ files, "
                         "entries identical to one of it are not scanned; not scanned itself")
    ap.add_argument("--min-secrets", type=int, default=1)
    ap.add_argument("paths", nargs="*", help="more files or directories to scan")
    # Intermixed: options may follow paths (a test hands on "--inherited-environ FILE DIR" pairs).
    a = ap.parse_intermixed_args(argv)
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

    write_only = []
    for i, v in enumerate(a.write_only_secret):
        write_only.append(Secret("--write-only-secret #%d" % (i + 1), v))
    for f in a.write_only_secret_file:
        p = os.path.join(workdir, f) if workdir and not os.path.isabs(f) else f
        try:
            with open(p, "r", encoding="utf-8", errors="replace") as fh:
                v = fh.read()
        except OSError as e:
            print("secrets_scan: cannot read --write-only-secret-file %s: %s" % (p, e), file=sys.stderr)
            return 2
        secret_paths.add(os.path.abspath(p))
        write_only.append(Secret(os.path.basename(p), v if PEM_BLOCK.search(v) else v.strip()))
    # The state's private keys: a plan may hold these, and no other.
    state_values = {s.value for s in secrets[:len(secrets) - len(a.secret) - len(a.secret_file)]}
    known_keys = set()
    for v in state_values:
        for _, der in private_key_blocks(v.encode()):
            if der:
                known_keys.add(der)
    # Needles for what must be nowhere but its source (--secret, --secret-file
    # and the write-only secrets), for the state files and plans.
    def needles_of(secret_list):
        out, seen_here = [], set()
        for sec in {x.value: x for x in secret_list}.values():
            for n, what in variants(sec, []):
                if n not in seen_here:
                    seen_here.add(n)
                    out.append((n, what))
        return out
    try:
        not_stored = needles_of(write_only)
        plan_needles = needles_of(write_only + secrets[len(secrets) - len(a.secret) - len(a.secret_file):])
    except ValueError as e:
        print("secrets_scan: %s" % e, file=sys.stderr)
        return 2
    secrets += write_only

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
    inherited, baselines = set(), set()
    for f in a.inherited_environ:
        try:
            inherited |= environ_entries(f)
        except OSError as e:
            print("secrets_scan: cannot read --inherited-environ %s: %s" % (f, e), file=sys.stderr)
            return 2
        baselines.add(os.path.abspath(f))
    state_abs = {os.path.abspath(s) for s in states}
    if workdir:
        allowed = set(a.allow) | {MARKER} | STATE_NAMES
        if a.scenario:
            allowed |= scenario_files(a.scenario)
        env_base = os.path.join(workdir, CAPTURE, "driver.environ")
        if os.path.exists(env_base):
            inherited |= environ_entries(env_base)
        skip = state_abs | secret_paths | baselines | {env_base}
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
                dirnames.sort()
                for n in sorted(filenames):
                    f = os.path.join(dirpath, n)
                    if os.path.abspath(f) not in baselines:
                        sc.scan_file(f, inherited=inherited or None)
        elif os.path.abspath(p) not in baselines:
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

    # Write-only secrets in the state files; plans.
    state_scan = Scanner(not_stored)
    for st in states:
        if os.path.exists(st):
            state_scan.scan_file(st, generic=False)
    sc.hits += state_scan.hits
    plan_scan = Scanner(plan_needles)
    for pl in a.plan:
        if not plan_scan.scan_plan(pl, known_keys):
            return 2
    sc.hits += plan_scan.hits
    sc.files += plan_scan.files
    sc.bytes += plan_scan.bytes

    for name, off, line, what in sc.hits:
        print("HIT %s:%d (line %d): %s" % (name, off, line, what))
    print("secrets_scan: %d secrets (%d needles) from %d state files; scanned %d files, %d bytes "
          "(%d new under %s; %d environ entries inherited, not searched); %d hits"
          % (len(distinct), len(needles), sum(os.path.exists(s) for s in states), sc.files, sc.bytes,
             tmp_files, a.tmp or "-", sc.inherited, len(sc.hits)), file=sys.stderr)
    return 1 if sc.hits else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
