"""Tests for summarize.py on hand-made result folders.

Run: /usr/bin/python3 -m unittest discover -s tools/bench -p 'test_*.py'
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import summarize  # noqa: E402


def run_line(name, ops, **extra):
    row = dict(name=name, ops_per_s=ops, p50_ms=1.0, p90_ms=2.0, p99_ms=3.0, max_ms=4.0,
               errors=0, error_codes={}, client_cpu_pct=50.0, server_cpu_pct=90.0,
               writes_per_fsync=None, sessions=32, outstanding=100)
    row.update(extra)
    return row


class Folder:
    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="summarize-test.")

    def write(self, sub, name, lines):
        os.makedirs(os.path.join(self.path, sub), exist_ok=True)
        with open(os.path.join(self.path, sub, name), "w") as f:
            for line in lines:
                f.write(json.dumps(line) + "\n")

    def remove(self):
        shutil.rmtree(self.path)


class MatrixTest(unittest.TestCase):
    def setUp(self):
        self.dir = Folder()
        self.addCleanup(self.dir.remove)

    def test_ratio_is_corral_median_over_apache_median(self):
        cases = [  # apache ops per pass, corral ops per pass, expected ratio, per-pass ratios
            ([100.0], [150.0], 1.5, [1.5]),
            ([100.0, 200.0, 300.0], [100.0, 100.0, 900.0], 0.5, [1.0, 0.5, 3.0]),
            ([400.0, 100.0], [100.0, 400.0], 1.0, [0.25, 4.0]),
        ]
        for apache, corral, want, paired in cases:
            with self.subTest(apache=apache, corral=corral):
                d = Folder()
                self.addCleanup(d.remove)
                for i, ops in enumerate(apache, 1):
                    d.write("apache-pass%d" % i, "results.jsonl", [run_line("get", ops)])
                for i, ops in enumerate(corral, 1):
                    d.write("corral-pass%d" % i, "results.jsonl", [run_line("get", ops)])
                runs, failed = summarize.load_matrix(d.path)
                (row,) = summarize.summarise_matrix(runs)
                self.assertAlmostEqual(row["ratio_corral_over_apache"], want)
                self.assertEqual(row["per_pass_ratios"], paired)
                self.assertEqual(failed, [])

    def test_rows_follow_the_matrix_order_and_missing_side_has_no_ratio(self):
        self.dir.write("apache-pass1", "results.jsonl",
                       [run_line("get-lat", 5.0), run_line("create", 7.0), run_line("set", 9.0)])
        self.dir.write("corral-pass1", "results.jsonl", [run_line("set", 18.0), run_line("create", 7.0)])
        runs, _ = summarize.load_matrix(self.dir.path)
        rows = summarize.summarise_matrix(runs)
        self.assertEqual([r["workload"] for r in rows], ["create", "set", "get-lat"])
        self.assertEqual([r["ratio_corral_over_apache"] for r in rows], [1.0, 2.0, None])

    def test_errors_are_summed_and_failed_passes_reported(self):
        self.dir.write("apache-pass1", "results.jsonl", [run_line("set", 10.0)])
        self.dir.write("corral-pass1", "results.jsonl",
                       [run_line("set", 10.0, errors=3, error_codes={"UNANSWERED": 3})])
        self.dir.write("corral-pass2", "results.jsonl",
                       [run_line("set", 10.0, errors=2, error_codes={"UNANSWERED": 1, "-101": 1})])
        self.dir.write("corral-pass2", "FAILED", [1])
        runs, failed = summarize.load_matrix(self.dir.path)
        (row,) = summarize.summarise_matrix(runs)
        self.assertEqual(row["corral"]["errors"], 5)
        self.assertEqual(row["corral"]["error_codes"], {"UNANSWERED": 4, "-101": 1})
        self.assertEqual(failed, ["corral-pass2"])

    def test_command_line_writes_json_and_markdown(self):
        self.dir.write("apache-pass1", "results.jsonl", [run_line("get", 100.0)])
        self.dir.write("corral-pass1", "results.jsonl", [run_line("get", 250.0)])
        done = subprocess.run([sys.executable, os.path.join(HERE, "summarize.py"), self.dir.path],
                              capture_output=True, text=True, check=True)
        self.assertIn("2.50", done.stdout)
        with open(os.path.join(self.dir.path, "summary.json")) as f:
            self.assertAlmostEqual(json.load(f)["matrix"][0]["ratio_corral_over_apache"], 2.5)
        with open(os.path.join(self.dir.path, "summary.md")) as f:
            self.assertIn("| get | **100** | **250** | 2.50 |", f.read())

    def test_empty_folder_is_an_error(self):
        done = subprocess.run([sys.executable, os.path.join(HERE, "summarize.py"), self.dir.path],
                              capture_output=True, text=True)
        self.assertEqual(done.returncode, 1)


class RecoveryTest(unittest.TestCase):
    def test_better_by_is_apache_over_corral_for_costs_and_corral_over_apache_for_rates(self):
        d = Folder()
        self.addCleanup(d.remove)
        # the shared run.sh writes node counts as strings
        d.write("apache-recovery", "recovery.json", [dict(
            restart_to_serving_s=1.5, rss_loaded_mib=300.0, node_count_before="100008",
            populate_ops_per_s=1000.0)])
        d.write("corral-recovery", "recovery.json", [dict(
            restart_to_serving_s=0.5, rss_loaded_mib=600.0, node_count_before=100008,
            kill9_restart_to_serving_s=0.7, populate_ops_per_s=3000.0)])
        rows = {r["key"]: r for r in summarize.recovery_table(summarize.load_recovery(d.path))}
        self.assertAlmostEqual(rows["restart_to_serving_s"]["corral_better_by"], 3.0)
        self.assertAlmostEqual(rows["rss_loaded_mib"]["corral_better_by"], 0.5)
        self.assertAlmostEqual(rows["populate_ops_per_s"]["corral_better_by"], 3.0)
        self.assertIsNone(rows["node_count_before"]["corral_better_by"])
        self.assertEqual(rows["node_count_before"]["apache"], 100008)
        self.assertIsNone(rows["kill9_restart_to_serving_s"]["apache"])
        self.assertNotIn("rss_empty_mib", rows)


if __name__ == "__main__":
    unittest.main()
