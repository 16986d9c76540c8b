#!/usr/bin/env python3
"""The report of bench/tunnel.sh.

    tunnel_report.py TMP OUT

Reads what bench/tunnel.sh left in TMP: meta.tsv (machine, settings, the
state of tunsecd's offload switches), configs.tsv (one line a configuration:
id, kind, cipher, offload, streams, workers, status), runs.tsv (one line a
run: id, round, status, iperf3 JSON file, start and end time, machine CPU
ticks busy and total before and after, each daemon's ticks before and
after, 1-minute load, bytes the tunnel counted out of A, tunsecd switches)
and the iperf3 JSON of every run. Writes OUT/tunnel.json (every run's
numbers), OUT/tunnel.md (the tables and the target ratios) and
OUT/tunnel.dat (the bars for bench/plot.gp).

A run whose tunnel counted less than 90% of the bytes iperf3 received, on
A's outbound side, is invalid: the traffic did not all cross the tunnel.
"""
import json
import os
import statistics
import sys

CIPHERS = ["null", "null-hmac-sha256", "aes-gcm-256", "aes-gcm-128",
           "aes-ccm-128", "chacha20-poly1305"]
COLS = ["no ESP"] + CIPHERS
HEAD = COLS[:5] + ["aes-ccm-128 (ICV 8)", COLS[6]]

# (what, numerator id, denominator id, least ratio): the issue's targets.
TARGETS = [
    ("aes-gcm-256, offloads on, vs clear veth offloads on",
     "tunsec-aes-gcm-256-on", "clear-on", 0.5),
    ("aes-gcm-256 vs null (offloads on)",
     "tunsec-aes-gcm-256-on", "tunsec-null-on", 0.85),
    ("aes-gcm-256: offloads on vs off",
     "tunsec-aes-gcm-256-on", "tunsec-aes-gcm-256-off", 3.0),
    ("aes-ccm-128 (ICV 8) vs aes-gcm-256 (offloads on)",
     "tunsec-aes-ccm-128-on", "tunsec-aes-gcm-256-on", 0.6),
    ("tunsec vs strongSwan, aes-gcm-256",
     "tunsec-aes-gcm-256-on", "swan-aes-gcm-256", 10.0),
    ("tunsec vs strongSwan, aes-ccm-128 (ICV 8)",
     "tunsec-aes-ccm-128-on", "swan-aes-ccm-128", 10.0),
    ("tunsec vs wireguard-go, chacha20-poly1305",
     "tunsec-chacha20-poly1305-on", "wg-chacha20-poly1305", 10.0),
]

SUMMARY_KEYS = ("machine_cpu_pct", "machine_cpu_s_per_gbit", "retransmits",
                "daemon_a_cpu_s_per_gbit", "daemon_b_cpu_s_per_gbit",
                "daemon_a_core_pct", "daemon_b_core_pct")


def read_tsv(path):
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f]


def load_meta(tmp):
    meta, switches = {}, {}
    for f in read_tsv(os.path.join(tmp, "meta.tsv")):
        if f[0] == "switch":
            switches[f[1]] = f[2]
        else:
            meta[f[0]] = f[1] if len(f) > 1 else ""
    return meta, switches


def load_configs(tmp):
    cfgs, order = {}, []
    for i, kind, cipher, offload, streams, workers, status in \
            read_tsv(os.path.join(tmp, "configs.tsv")):
        cfgs[i] = {"id": i, "kind": kind,
                   "cipher": None if cipher == "-" else cipher,
                   "offload": None if offload == "-" else offload,
                   "streams": int(streams),
                   "workers": None if workers == "-" else int(workers),
                   # SAs per host: one each way, and a second per-CPU
                   # pair in the many-flows rows (bench_per_cpu_sas).
                   "sas": None if kind == "clear" else
                          (4 if int(streams) > 1 else 2),
                   "status": status or "ok", "runs": []}
        order.append(i)
    return cfgs, order


def daemon_cpu(r, side, ticks, hz, gbit, wall):
    x0, x1 = (int(x) for x in ticks.split())
    s = (x1 - x0) / hz
    r["daemon_%s_cpu_s" % side] = s
    r["daemon_%s_cpu_s_per_gbit" % side] = s / gbit if gbit else None
    r["daemon_%s_core_pct" % side] = 100.0 * s / wall


def one_run(f, cfg, hz):
    _, rnd, status, js, t0, t1, cpu, pa, pb, load, wit, sw = f
    r = {"round": int(rnd), "status": status, "load1": float(load)}
    if cfg["kind"] == "tunsec":
        r["tunsecd_switches"] = sw
    if status != "ok":
        return r
    with open(js) as fp:
        end = json.load(fp)["end"]
    got = end["sum_received"]
    b0, tot0, b1, tot1 = (int(x) for x in cpu.split())
    gbit = got["bytes"] * 8 / 1e9
    wall = float(t1) - float(t0)
    r.update(gbps=got["bits_per_second"] / 1e9, bytes=got["bytes"],
             seconds=got["seconds"], wall_s=wall,
             retransmits=end.get("sum_sent", {}).get("retransmits"),
             machine_cpu_s=(b1 - b0) / hz,
             machine_cpu_pct=100.0 * (b1 - b0) / max(tot1 - tot0, 1))
    r["machine_cpu_s_per_gbit"] = r["machine_cpu_s"] / gbit if gbit else None
    if cfg["kind"] == "clear":
        return r
    daemon_cpu(r, "a", pa, hz, gbit, wall)
    daemon_cpu(r, "b", pb, hz, gbit, wall)
    r["tunnel_bytes_out_a"] = int(wit or 0)
    if r["tunnel_bytes_out_a"] < 0.9 * got["bytes"]:
        r["status"] = ("invalid: the tunnel counted %d bytes out of A for %d "
                       "received" % (r["tunnel_bytes_out_a"], got["bytes"]))
    return r


def summarize(c):
    ok = [r for r in c["runs"] if r["status"] == "ok"]
    if not ok:
        if c["status"] == "ok":
            c["status"] = "failed: " + (c["runs"][0]["status"] if c["runs"]
                                        else "not run")
        return
    g = [r["gbps"] for r in ok]
    s = {"runs_ok": len(ok), "gbps_median": statistics.median(g),
         "gbps_min": min(g), "gbps_max": max(g)}
    for k in SUMMARY_KEYS:
        v = [r[k] for r in ok if r.get(k) is not None]
        s[k] = statistics.median(v) if v else None
    c["summary"] = s


def fmt(x, f="%.2f"):
    return "–" if x is None else f % x


class Report:
    def __init__(self, tmp):
        self.meta, self.switches = load_meta(tmp)
        self.hz, self.ncpu = int(self.meta["hz"]), int(self.meta["nproc"])
        self.cfgs, self.order = load_configs(tmp)
        for f in read_tsv(os.path.join(tmp, "runs.tsv")):
            c = self.cfgs[f[0]]
            c["runs"].append(one_run(f, c, self.hz))
        for c in self.cfgs.values():
            summarize(c)
        self.notes = []
        self.ratios = []
        sw = sorted(self.switches.items())
        self.avail = ["%s (%s)" % (k, v.split(": ", 1)[1]) for k, v in sw
                      if v.startswith("available")]
        self.unavail = [k for k, v in sw
                        if not v.startswith("available") and k != "workers"]

    def gbps(self, i):
        s = self.cfgs.get(i, {}).get("summary")
        return s["gbps_median"] if s else None

    def cell(self, i):
        c = self.cfgs.get(i)
        if c is None:
            return "–"
        if "summary" not in c:
            self.notes.append("%s: %s" % (i, c["status"]))
            return "%s ⁽%d⁾" % (c["status"].split(":")[0], len(self.notes))
        s = c["summary"]
        return "%.2f (%.0f%%)" % (s["gbps_median"], s["machine_cpu_pct"])

    def header(self):
        m = self.meta
        loads = [r["load1"] for c in self.cfgs.values() for r in c["runs"]]
        L = ["# Tunnel throughput — %s" % m["date"], ""]
        L.append("Machine: %d vCPU, %s, kernel %s. %s; %s; %s." % (
            self.ncpu, m["cpu"], m["kernel"], m["iperf3"],
            m["strongswan"] or "strongSwan not installed",
            m["wireguard_go"] or "wireguard-go not installed"))
        L.append("Load average (1 min): %s before the run, %s–%s during the "
                 "runs, %s after; the machine was %s%% busy in the 2 s before "
                 "the lab was built." % (
                     m["load_before"].split()[0],
                     fmt(min(loads) if loads else None),
                     fmt(max(loads) if loads else None),
                     m["load_after"].split()[0], m["background_cpu"]))
        L.append("")
        L.append("TCP iperf3 from host A to host B, %s s a run, %s run(s) per "
                 "configuration, rounds interleaved. Cell: median Gbit/s "
                 "(whole-machine CPU busy, %% of all %d vCPUs)." % (
                     m["seconds"], m["runs"], self.ncpu))
        if self.avail:
            L.append("tunsecd offload switches available: %s%s." % (
                ", ".join(self.avail), "; kept off in the on rows (--off): %s" % m["off"]
                if m.get("off") else ""))
        if self.unavail and not self.avail:
            L.append("tunsecd offload switches not available yet: %s — the "
                     "tunsec \"offloads off\" and \"offloads on\" rows run the "
                     "same code path (one configuration measured twice)."
                     % ", ".join(self.unavail))
        elif self.unavail:
            L.append("Not available yet: %s." % ", ".join(self.unavail))
        return L + [""]

    def main_table(self):
        rows = [("clear veth, kernel TSO/GSO/GRO off", {"no ESP": "clear-off"}),
                ("clear veth, kernel offloads on", {"no ESP": "clear-on"})]
        for o in ("off", "on"):
            rows.append(("tunsec, offloads %s" % o,
                         {c: "tunsec-%s-%s" % (c, o) for c in CIPHERS}))
        rows.append(("strongSwan, kernel-libipsec",
                     {"aes-gcm-256": "swan-aes-gcm-256",
                      "aes-ccm-128": "swan-aes-ccm-128"}))
        rows.append(("wireguard-go",
                     {"chacha20-poly1305": "wg-chacha20-poly1305"}))
        L = ["| path | %s |" % " | ".join(HEAD), "|---" * (len(COLS) + 1) + "|"]
        for name, m in rows:
            L.append("| %s | %s |" % (name, " | ".join(
                self.cell(m[c]) if c in m else "" for c in COLS)))
        L.append("")
        L += ["⁽%d⁾ %s" % (n + 1, t) for n, t in enumerate(self.notes)]
        return L + ([""] if self.notes else [])

    def detail_table(self):
        L = ["## Every configuration", "",
             "| configuration | Gbit/s median | min–max | runs | retransmits "
             "| machine CPU % | machine CPU s/Gbit | daemon CPU s/Gbit A / B "
             "| daemon % of a core A / B |",
             "|---|---|---|---|---|---|---|---|---|"]
        for i in self.order:
            c = self.cfgs[i]
            s = c.get("summary")
            if not s:
                L.append("| %s | %s | | | | | | | |" % (i, c["status"]))
                continue
            d = "– | –"
            if c["kind"] != "clear":
                d = "%s / %s | %s / %s" % (
                    fmt(s["daemon_a_cpu_s_per_gbit"], "%.3f"),
                    fmt(s["daemon_b_cpu_s_per_gbit"], "%.3f"),
                    fmt(s["daemon_a_core_pct"], "%.0f"),
                    fmt(s["daemon_b_core_pct"], "%.0f"))
            L.append("| %s | %.2f | %.2f–%.2f | %d | %s | %.0f | %.3f | %s |" % (
                i, s["gbps_median"], s["gbps_min"], s["gbps_max"], s["runs_ok"],
                fmt(s["retransmits"], "%.0f"), s["machine_cpu_pct"],
                s["machine_cpu_s_per_gbit"], d))
        return L + ["", "A sends, B receives. Daemon CPU: utime+stime of "
                    "tunsecd, charon or wireguard-go on each host.", ""]

    def flows_table(self):
        L = ["## Many flows: 8 parallel streams", "",
             "| path | streams | SAs | workers | Gbit/s median (min–max) "
             "| machine CPU % | daemon CPU s/Gbit A / B |",
             "|---|---|---|---|---|---|---|"]
        for i in self.order:
            c = self.cfgs[i]
            if c["streams"] == 1:
                continue
            s = c.get("summary")
            what = "clear veth" if c["kind"] == "clear" else "tunsec %s" % c["cipher"]
            lead = "| %s | %d | %s | %s |" % (what, c["streams"], c["sas"] or "–",
                                            c["workers"] or "–")
            if not s:
                L.append("%s %s | | |" % (lead, c["status"]))
                continue
            d = "–" if c["kind"] == "clear" else "%s / %s" % (
                fmt(s["daemon_a_cpu_s_per_gbit"], "%.3f"),
                fmt(s["daemon_b_cpu_s_per_gbit"], "%.3f"))
            L.append("%s %.2f (%.2f–%.2f) | %.0f | %s |" % (
                lead, s["gbps_median"], s["gbps_min"], s["gbps_max"],
                s["machine_cpu_pct"], d))
        return L + ["", "SAs per host: two per-CPU SAs each way (tunsecd.conf(5) "
                    "cpu), the receiving worker chosen by SPI.", ""]

    def target_row(self, name, num, den, need):
        a, b = self.gbps(num), self.gbps(den)
        got, verdict, shown = None, "not measured", "–"
        if a is not None and b:
            got = a / b
            verdict = "met" if got >= need else "not met"
            shown = "%.2f / %.2f = %.2f" % (a, b, got)
        self.ratios.append({"target": name, "numerator": num, "denominator": den,
                            "needed": need, "ratio": got, "verdict": verdict})
        return "| %s | ≥ %s | %s | %s |" % (
            name, "%.0f%%" % (need * 100) if need < 1 else "%g×" % need,
            shown, verdict)

    def worker_rows(self):
        L = []
        base = "tunsec-aes-gcm-256-on-p8-w1"
        w1 = self.gbps(base)
        for i in self.order:
            c = self.cfgs[i]
            if c["kind"] != "tunsec" or c["streams"] == 1 or (c["workers"] or 1) == 1:
                continue
            wn = self.gbps(i)
            r = wn / w1 if wn and w1 else None
            verdict = "measured" if r else c["status"]
            self.ratios.append({"target": "8 streams: %d workers vs 1" % c["workers"],
                                "numerator": i, "denominator": base,
                                "needed": None, "ratio": r, "verdict": verdict})
            L.append("| 8 streams: %d workers vs 1 | scales | %s | %s |" % (
                c["workers"], fmt(r), verdict))
        return L

    def targets(self):
        L = ["## Targets (ratios of medians from this run)", "",
             "| target | needed | measured | |", "|---|---|---|---|"]
        L += [self.target_row(*t) for t in TARGETS]
        L += self.worker_rows() + [""]
        if self.unavail and not self.avail:
            L += ["The offloads do not exist in tunsecd yet (%s): every tunsec "
                  "figure above is the MTU-packet path, and \"offloads on vs "
                  "off\" compares one code path with itself."
                  % ", ".join(self.unavail), ""]
        return L

    def markdown(self):
        return "\n".join(self.header() + self.main_table() + self.detail_table()
                         + self.flows_table() + self.targets())

    def document(self):
        m = self.meta
        return {"date": m["date"],
                "machine": {k: m[k] for k in ("cpu", "kernel", "nproc")},
                "software": {k: m[k] for k in ("iperf3", "strongswan",
                                               "wireguard_go", "tunsecd")},
                "load_before": m["load_before"], "load_after": m["load_after"],
                "background_cpu_pct": float(m["background_cpu"] or 0),
                "seconds": int(m["seconds"]), "runs": int(m["runs"]),
                "switches": self.switches,
                "switches_kept_off": m.get("off", "").split(),
                "configs": [self.cfgs[i] for i in self.order],
                "ratios": self.ratios}

    def bars(self):
        L = ["# median min max Gbit/s of: offloads off | offloads on | "
             "strongSwan | wireguard-go"]
        for col in COLS:
            ids = ["clear-off", "clear-on", None, None] if col == "no ESP" else \
                ["tunsec-%s-off" % col, "tunsec-%s-on" % col, "swan-" + col, "wg-" + col]
            v = []
            for i in ids:
                s = self.cfgs.get(i, {}).get("summary") if i else None
                v.append("%.3f %.3f %.3f" % (s["gbps_median"], s["gbps_min"],
                                             s["gbps_max"]) if s else "- - -")
            L.append("\"%s\" %s" % (col, " ".join(v)))
        return "\n".join(L) + "\n"


def main():
    tmp, out = sys.argv[1], sys.argv[2]
    rep = Report(tmp)
    md = rep.markdown()  # fills rep.ratios
    with open(os.path.join(out, "tunnel.md"), "w") as f:
        f.write(md)
    with open(os.path.join(out, "tunnel.json"), "w") as f:
        json.dump(rep.document(), f, indent=1)
        f.write("\n")
    with open(os.path.join(out, "tunnel.dat"), "w") as f:
        f.write(rep.bars())


if __name__ == "__main__":
    main()
