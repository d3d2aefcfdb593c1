"""The real terraform CLI for the benchmarks (bench/run, bench/p5_availability.py).

One place for what running Terraform as a user would takes: a CLI
configuration of the benchmark's own in a temporary directory
(TF_CLI_CONFIG_FILE, dev_overrides naming the binaries under test, no
registry, no `init`; the user's ~/.terraformrc is never read), an
environment without the caller's TF_* variables, and Terraform's debug log of
its plugin client, from which each plugin process's start, handshake and exit
are read. Python 3 standard library only.
"""
import datetime
import json
import os
import re
import resource
import shlex
import subprocess
import tempfile
import threading
import time

TERRAFORM = os.environ.get("PXC_BENCH_TERRAFORM", "/usr/local/bin/terraform")


class TfError(Exception):
    pass


class TfResult:
    """One terraform command: wall seconds, CPU seconds of its whole process
    tree (Terraform and the plugins it started and reaped), its output, and
    per plugin process (from Terraform's log, ms): exec -> handshake line
    read, exec -> exit. With sample_cpu, also the plugins' own CPU seconds."""

    def __init__(self):
        self.wall_s = 0.0
        self.cpu_s = 0.0
        self.out = ""
        self.lifetimes_ms = []
        self.handshake_ms = []
        self.plugin_cpu_s = None
        # pxc only: per plugin process, what it released at shutdown (the
        # "released" field of its "plugin server stopped" line), e.g. "ssh
        # connections: 3 opened, 2 reuses, ..."; "" when it held nothing.
        self.released = []


class TfCli:
    """Terraform with dev_overrides for the given providers, e.g.
    TfCli(work, {"pxc/pxc": "/path/terraform-provider-pxc"}). Workspaces
    are directories under the CLI's own temporary directory."""

    def __init__(self, work, providers, terraform=TERRAFORM):
        self.terraform = terraform
        self.dir = tempfile.mkdtemp(prefix="tfcli-", dir=work)
        over = []
        for source, binary in sorted(providers.items()):
            if not binary:
                continue
            name = source.split("/")[-1]
            d = os.path.join(self.dir, "providers", name)
            os.makedirs(d)
            os.symlink(os.path.abspath(binary), os.path.join(d, "terraform-provider-" + name))
            over.append('    "%s" = "%s"' % (source, d))
        self.config_file = os.path.join(self.dir, "cli.tfrc")
        with open(self.config_file, "w") as f:
            f.write("# Written by bench/tfcli.py: the providers under test, nothing downloaded.\n"
                    "provider_installation {\n  dev_overrides {\n%s\n  }\n  direct {}\n}\n"
                    % "\n".join(over))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
        # The provider log level shows go-plugin's client lines ("starting
        # plugin", "plugin started ... pid", "using plugin", "plugin process
        # exited", with millisecond timestamps) for every provider alike
        # (TF_LOG_CORE does not); at debug pxc adds 3 lines per process.
        self.env.update(TF_CLI_CONFIG_FILE=self.config_file, CHECKPOINT_DISABLE="1",
                        TF_IN_AUTOMATION="1", TF_INPUT="0", TF_LOG_PROVIDER="debug")
        self.n = 0
        self._version = None

    @property
    def version(self):
        """"Terraform v1.11.4" (the first line of `terraform version`)."""
        if self._version is None:
            p = subprocess.run([self.terraform, "version"], env=self.env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, timeout=60)
            self._version = (p.stdout.splitlines() or ["terraform (version unknown)"])[0].strip()
        return self._version

    def workspace(self, name, tf_json=None):
        d = os.path.join(self.dir, name)
        os.makedirs(d)
        if tf_json is not None:
            self.write(d, tf_json)
        return d

    @staticmethod
    def write(ws, tf_json):
        with open(os.path.join(ws, "main.tf.json"), "w") as f:
            json.dump(tf_json, f, indent=1)

    def run(self, ws, args, cmd_prefix=(), env=None, timeout=1800, sample_cpu=False):
        """Runs `terraform <args>` in ws (after cmd_prefix, e.g. `ip netns
        exec pxc0`); raises TfError when it fails."""
        self.n += 1
        logf = os.path.join(self.dir, "tf-%d.log" % self.n)
        e = dict(self.env, TF_LOG_PATH=logf, **(env or {}))
        cmd = list(cmd_prefix) + [self.terraform] + list(args)
        res = TfResult()
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=ws, env=e, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        sampler = PluginCpu(logf) if sample_cpu else None
        if sampler:
            sampler.start()
        try:
            res.out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            raise TfError("%s timed out after %d s" % (shlex.join(cmd)[:200], timeout))
        finally:
            if sampler:
                sampler.stop.set()
                sampler.join()
        res.wall_s = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        res.cpu_s = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        if sampler:
            res.plugin_cpu_s = sampler.total()
        try:
            res.lifetimes_ms, res.handshake_ms = plugin_log(logf)
            res.released = released_log(logf)
            os.unlink(logf)
        except OSError:
            pass
        if p.returncode != 0:
            raise TfError("terraform %s in %s exited %d: %s"
                          % (" ".join(args[:1]), ws, p.returncode, res.out[-1500:]))
        return res

    def apply(self, ws, expect=None, fresh=True, **kw):
        """`terraform apply -auto-approve`, from an empty state when fresh;
        checks "Apply complete! Resources: <expect> added"."""
        if fresh:
            for f in ("terraform.tfstate", "terraform.tfstate.backup"):
                if os.path.exists(os.path.join(ws, f)):
                    os.unlink(os.path.join(ws, f))
        res = self.run(ws, ["apply", "-auto-approve", "-input=false", "-no-color"], **kw)
        want = "Apply complete! Resources: %s added" % ("" if expect is None else expect)
        if want not in res.out:
            raise TfError("terraform apply in %s: no [%s] in: %s" % (ws, want, res.out[-800:]))
        return res

    def destroy(self, ws, **kw):
        res = self.run(ws, ["destroy", "-auto-approve", "-input=false", "-no-color"], **kw)
        if "Destroy complete!" not in res.out:
            raise TfError("terraform destroy in %s: %s" % (ws, res.out[-800:]))
        return res

    @staticmethod
    def state_attributes(ws, address):
        """The attributes of one managed resource in ws's terraform.tfstate."""
        typ, name = address.split(".", 1)
        with open(os.path.join(ws, "terraform.tfstate")) as f:
            for r in json.load(f)["resources"]:
                if r["mode"] == "managed" and r["type"] == typ and r["name"] == name:
                    return r["instances"][0]["attributes"]
        raise TfError("%s not in the state of %s" % (address, ws))


def _ts(line):
    return datetime.datetime.strptime(line.split(" ", 1)[0], "%Y-%m-%dT%H:%M:%S.%f%z")


def plugin_log(logf):
    """From Terraform's log: per plugin process, ms from "starting plugin"
    (before the exec) to "plugin process exited", and to "using plugin" (the
    handshake line read). Timestamps have millisecond resolution."""
    starts, lifetimes, handshakes = [], [], []
    pending = []
    with open(logf, errors="replace") as f:
        for line in f:
            if "provider: starting plugin:" in line:
                t = _ts(line)
                starts.append(t)
                pending.append(t)
            elif "provider: using plugin:" in line and pending:
                handshakes.append((_ts(line) - pending.pop(0)).total_seconds() * 1e3)
            elif "provider: plugin process exited:" in line and starts:
                lifetimes.append((_ts(line) - starts.pop(0)).total_seconds() * 1e3)
    return lifetimes, handshakes


RELEASED_RE = re.compile(r'released="?(ssh connections: [^"=]*?)"?(?: \w+=|"|$)')


def released_log(logf):
    """pxc's "plugin server stopped" lines: what each plugin process
    released (see TfResult.released)."""
    out = []
    with open(logf, errors="replace") as f:
        for line in f:
            if "plugin server stopped" in line:
                m = RELEASED_RE.search(line)
                extra = ""
                for field in ("release_ms", "release_wait_ms"):
                    f = re.search(r"\b%s=([0-9.]+)" % field, line)
                    if m and f:
                        extra += "; %s=%s" % (field, f.group(1))
                out.append((m.group(1).strip() if m else "") + extra)
    return out


def ssh_opened(released):
    """SSH connections opened in all the plugin processes of one command."""
    n = 0
    for r in released:
        m = re.search(r"ssh connections: (\d+) opened", r)
        if m:
            n += int(m.group(1))
    return n


PID_RE = re.compile(r"provider: plugin started: .*pid=(\d+)")


class PluginCpu(threading.Thread):
    """Follows Terraform's log for "plugin started ... pid=N" and reads each
    plugin process's utime+stime from /proc every 20 ms until it is gone: the
    plugins' CPU seconds, short by at most one interval per process."""

    def __init__(self, logf):
        super().__init__(daemon=True)
        self.logf = logf
        self.stop = threading.Event()
        self.cpu = {}  # pid -> last seen CPU seconds
        self.tick = os.sysconf("SC_CLK_TCK")

    def run(self):
        pos, live = 0, set()
        while True:
            done = self.stop.is_set()
            try:
                with open(self.logf, errors="replace") as f:
                    f.seek(pos)
                    chunk = f.read()
                    # Only whole lines; the rest next time.
                    cut = chunk.rfind("\n") + 1
                    pos += len(chunk[:cut].encode())
                    for m in PID_RE.finditer(chunk[:cut]):
                        live.add(int(m.group(1)))
            except OSError:
                pass
            for pid in list(live):
                try:
                    with open("/proc/%d/stat" % pid) as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                    self.cpu[pid] = (int(fields[11]) + int(fields[12])) / self.tick
                except (OSError, IndexError, ValueError):
                    live.discard(pid)
            if done:
                return
            self.stop.wait(0.02)

    def total(self):
        return sum(self.cpu.values())


def tf_json(source, resources, provider_config=None):
    """Terraform JSON configuration: required_providers {name = source},
    the provider block, and resources given as [(type, name, config)]."""
    name = source.split("/")[-1]
    doc = {"terraform": {"required_providers": {name: {"source": source}}},
           "provider": {name: provider_config or {}}, "resource": {}}
    for typ, rname, config in resources:
        doc["resource"].setdefault(typ, {})[rname] = config
    return doc
