#!/usr/bin/python3
"""Summarises a tools/bench/run.sh results folder: Corral next to Apache ZooKeeper.

usage: summarize.py OUT_DIR

Reads OUT_DIR/{apache,corral}-pass<N>/results.jsonl (the shared bench's per-run lines) or
OUT_DIR/{apache,corral}-recovery/recovery.json, prints a plain-text table, and writes
OUT_DIR/summary.json and OUT_DIR/summary.md (the same table in Markdown, for README.md).
"""
import glob
import json
import math
import os
import re
import statistics
import sys

SYSTEMS = ("apache", "corral")
# the shared matrix's order; unknown names sort after these
ORDER = ["create", "set", "get", "mixed", "set-lat", "get-lat"]


def median(values):
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return statistics.median(values) if values else None


def load_matrix(out):
    """{system: {workload: {pass: row}}} plus a list of failed pass folders."""
    runs = {s: {} for s in SYSTEMS}
    failed = []
    for system in SYSTEMS:
        for folder in sorted(glob.glob(os.path.join(out, system + "-pass*"))):
            match = re.search(r"-pass(\d+)$", folder)
            if not match:
                continue
            n = int(match.group(1))
            if os.path.exists(os.path.join(folder, "FAILED")):
                failed.append(os.path.basename(folder))
            path = os.path.join(folder, "results.jsonl")
            if not os.path.exists(path):
                continue
            with open(path) as f:
                for line in f:
                    if line.strip():
                        row = json.loads(line)
                        runs[system].setdefault(row["name"], {})[n] = row
    return runs, failed


def stats(rows):
    """Per-system aggregate of one workload's runs (medians of per-run figures)."""
    if not rows:
        return None
    ops = [r["ops_per_s"] for r in rows]

    def m(key):
        return median([r.get(key) for r in rows])

    return dict(
        runs=len(rows), ops_per_s=median(ops), ops_min=min(ops), ops_max=max(ops),
        p50_ms=m("p50_ms"), p90_ms=m("p90_ms"), p99_ms=m("p99_ms"), max_ms=m("max_ms"),
        client_cpu_pct=m("client_cpu_pct"), server_cpu_pct=m("server_cpu_pct"),
        writes_per_fsync=m("writes_per_fsync"),
        errors=sum(int(r.get("errors", 0)) for r in rows),
        error_codes=merge_codes(r.get("error_codes") or {} for r in rows),
        sessions=rows[0].get("sessions"), outstanding=rows[0].get("outstanding"))


def merge_codes(dicts):
    total = {}
    for d in dicts:
        for k, v in d.items():
            total[k] = total.get(k, 0) + v
    return total


def summarise_matrix(runs):
    names = set(runs["apache"]) | set(runs["corral"])
    names = sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    out = []
    for name in names:
        a_by_pass, c_by_pass = runs["apache"].get(name, {}), runs["corral"].get(name, {})
        a, c = stats(list(a_by_pass.values())), stats(list(c_by_pass.values()))
        ratio = c["ops_per_s"] / a["ops_per_s"] if a and c and a["ops_per_s"] else None
        # interleaved passes: Corral pass i against Apache pass i, run minutes apart
        paired = [c_by_pass[p]["ops_per_s"] / a_by_pass[p]["ops_per_s"]
                  for p in sorted(set(a_by_pass) & set(c_by_pass)) if a_by_pass[p]["ops_per_s"]]
        out.append(dict(workload=name, apache=a, corral=c, ratio_corral_over_apache=ratio,
                        per_pass_ratios=[round(r, 3) for r in paired]))
    return out


def fmt(v, digits=0, suffix=""):
    if v is None:
        return "-"
    return ("{:,.%df}" % digits).format(v) + suffix


def ops_cell(s, bold=False):
    if s is None:
        return "-"
    med = fmt(s["ops_per_s"])
    if bold:
        med = "**%s**" % med
    if s["runs"] == 1:
        return med
    return "%s (%s-%s)" % (med, fmt(s["ops_min"]), fmt(s["ops_max"]))


def pair(a, c, key, digits):
    return "%s / %s" % (fmt(a[key] if a else None, digits), fmt(c[key] if c else None, digits))


def ratio_cell(row):
    r = row["ratio_corral_over_apache"]
    if r is None:
        return "-"
    cell = "%.2f" % r
    if len(row["per_pass_ratios"]) > 1:
        cell += " (%.2f-%.2f)" % (min(row["per_pass_ratios"]), max(row["per_pass_ratios"]))
    return cell


MATRIX_HEADER = ["workload", "Apache ops/s", "Corral ops/s", "Corral/Apache",
                 "p50 ms A / C", "p99 ms A / C", "server CPU % A / C", "writes/fsync A / C",
                 "errors A / C"]


def matrix_cells(row, markdown):
    a, c = row["apache"], row["corral"]
    return [row["workload"], ops_cell(a, bold=markdown), ops_cell(c, bold=markdown), ratio_cell(row),
            pair(a, c, "p50_ms", 2), pair(a, c, "p99_ms", 2), pair(a, c, "server_cpu_pct", 0),
            pair(a, c, "writes_per_fsync", 1), pair(a, c, "errors", 0)]


# measure label, key, digits, lower is better
RECOVERY_ROWS = [
    ("restart to serving after SIGTERM, s", "restart_to_serving_s", 2, True),
    ("restart to serving after SIGKILL, s", "kill9_restart_to_serving_s", 2, True),
    ("start to serving, empty data dir, s", "empty_start_to_serving_s", 2, True),
    ("RSS after populating, MiB", "rss_loaded_mib", 0, True),
    ("RSS right after restart, MiB", "rss_after_restart_mib", 0, True),
    ("RSS empty server, MiB", "rss_empty_mib", 0, True),
    ("node count before restart", "node_count_before", 0, None),
    ("node count after SIGTERM restart", "node_count_after", 0, None),
    ("node count after SIGKILL restart", "node_count_after_kill9", 0, None),
    ("populate creates/s (4 x 250)", "populate_ops_per_s", 0, False),
    ("populate errors", "populate_errors", 0, None),
]
RECOVERY_HEADER = ["measure", "Apache", "Corral", "better by (>= 1: Corral better)"]


def load_recovery(out):
    found = {}
    for system in SYSTEMS:
        path = os.path.join(out, system + "-recovery", "recovery.json")
        if os.path.exists(path):
            with open(path) as f:
                lines = [l for l in f if l.strip()]
            if lines:
                found[system] = json.loads(lines[-1])
    return found


def number(v):
    if v is None:
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def recovery_table(found):
    rows = []
    for label, key, digits, lower_better in RECOVERY_ROWS:
        a, c = number(found.get("apache", {}).get(key)), number(found.get("corral", {}).get(key))
        if a is None and c is None:
            continue
        better = None
        if lower_better is not None and a and c:
            better = a / c if lower_better else c / a
        rows.append(dict(measure=label, key=key, apache=a, corral=c, corral_better_by=better,
                         digits=digits))
    return rows


def recovery_cells(row):
    return [row["measure"], fmt(row["apache"], row["digits"]), fmt(row["corral"], row["digits"]),
            "-" if row["corral_better_by"] is None else "%.2f" % row["corral_better_by"]]


def text_table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    return "\n".join([line(header), "-" * len(line(header))] + [line(r) for r in rows])


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def describe(meta):
    if not meta:
        return ""
    bits = [meta.get("date", "?"), meta.get("corral", "?"), meta.get("machine", "?")]
    if meta.get("kind") in ("matrix", "matrix-ensemble"):
        if meta.get("kind") == "matrix-ensemble":
            bits.append("3-server ensembles (--ensemble)")
        bits.append("--repeat %s --duration %g --warmup %g" % (
            meta.get("repeat"), meta.get("duration_s", 0), meta.get("warmup_s", 0)))
        if meta.get("only"):
            bits.append("--only " + meta["only"])
    else:
        bits.append("--recovery --znodes %s" % meta.get("znodes"))
    bits.append("pinned (client CPU 0, server CPU 1)" if meta.get("pinned") else "unpinned")
    if meta.get("loadavg_at_start"):
        bits.append("load average at start " + meta["loadavg_at_start"])
    if meta.get("stand_in_apache"):
        bits.append("STAND-IN: the 'Corral' column is a second Apache ZooKeeper")
    return "; ".join(str(b) for b in bits)


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 64
    out = argv[1]
    meta = {}
    if os.path.exists(os.path.join(out, "meta.json")):
        with open(os.path.join(out, "meta.json")) as f:
            meta = json.load(f)
    summary = dict(meta=meta)
    text, md = [describe(meta)], ["_" + describe(meta) + "_"]

    runs, failed = load_matrix(out)
    if any(runs.values()):
        matrix = summarise_matrix(runs)
        summary["matrix"] = matrix
        summary["failed_passes"] = failed
        text.append(text_table(MATRIX_HEADER, [matrix_cells(r, False) for r in matrix]))
        md.append(md_table(MATRIX_HEADER, [matrix_cells(r, True) for r in matrix]))
        note = ("ops/s: median of passes (min-max when more than one); Corral/Apache >= 1.0 means "
                "Corral is faster (ratio of medians; per-pass ratios in brackets); latency and CPU "
                "are medians of per-run figures; CPU 100 = one core; writes/fsync from mntr.")
        text.append(note)
        md.append(note)
        if failed:
            warn = "FAILED passes (partial or no results): " + ", ".join(failed)
            text.append(warn)
            md.append("**" + warn + "**")
    found = load_recovery(out)
    if found:
        rec = recovery_table(found)
        summary["recovery"] = dict(rows=rec, raw=found)
        text.append(text_table(RECOVERY_HEADER, [recovery_cells(r) for r in rec]))
        md.append(md_table(RECOVERY_HEADER, [recovery_cells(r) for r in rec]))
        missing = [s for s in SYSTEMS if s not in found]
        if missing:
            text.append("no recovery figures for: " + ", ".join(missing))
        failed_rec = [s + "-recovery" for s in SYSTEMS
                      if os.path.exists(os.path.join(out, s + "-recovery", "FAILED"))]
        if failed_rec:
            summary["recovery"]["failed"] = failed_rec
            warn = "FAILED (partial or no results): " + ", ".join(failed_rec)
            text.append(warn)
            md.append("**" + warn + "**")
    if len(text) == 1:
        print("no results found in " + out, file=sys.stderr)
        return 1

    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write("\n\n".join(md) + "\n")
    print("\n\n".join(text))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
