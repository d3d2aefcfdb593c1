"""Prints facts of data.pxc_cluster_tls.report from a saved plan's JSON.

report.py <plan.json> <what>: what is one of
  summary   consistent, min_days_left, number of CAs, one line
  problems  one problem per line
  node      per node: name, mysql serial, galera serial, tls versions,
            matches_file, verified, plain_accepted (one line each)
"""
import json
import sys

doc = json.load(open(sys.argv[1]))


def resources(m):
    yield from m.get("resources", [])
    for c in m.get("child_modules", []):
        yield from resources(c)


values = None
for section in ("prior_state", "planned_values"):
    root = doc.get(section, {})
    root = root.get("values", root).get("root_module", {})
    for r in resources(root):
        if r["address"] == "data.pxc_cluster_tls.report":
            values = r["values"]
            break
    if values:
        break
if values is None:
    sys.exit("data.pxc_cluster_tls.report is not in " + sys.argv[1])
what = sys.argv[2]
if what == "summary":
    print("consistent=%s min_days_left=%s cas=%d problems=%d" % (
        str(values["consistent"]).lower(), values["min_days_left"],
        len(values["ca_fingerprints"]), len(values["problems"])))
elif what == "problems":
    for p in values["problems"]:
        print(p)
elif what == "node":
    for n in values["node"]:
        m, g = n["mysql"], n["galera"]
        print("%s mysql=%s galera=%s versions=%s/%s match=%s/%s verified=%s/%s plain=%s" % (
            n["name"], m["serial"], g["serial"], ",".join(m["tls_versions"]),
            ",".join(g["tls_versions"]), m["matches_file"], g["matches_file"],
            m["verified"], g["verified"], g["plain_accepted"]))
