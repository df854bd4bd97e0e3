"""identigraph on Spark against the pandas engine and Splink 5 on Spark, in one run.

    python benchmarks/bench_spark.py --records 1000000            # about 15 minutes on 2 cores
    python benchmarks/bench_spark.py --records 1000000 --skip-splink

Each engine runs in a fresh process on the same data (``datasets.customers``, demo
specs, 1% junk) and writes its clusters to Parquet; the parent checks that the Spark
clusters equal the pandas engine's (same partition, same person ids).

- pandas: ``IdentityGraph.add`` of every source plus ``clusters()``.
- identigraph.spark: ``local[2]``, ``--partitions`` shuffle partitions (default 4),
  ``--local-edges`` passed to ``resolve`` (default 2,000,000; 0 runs star rounds only), frames loaded with ``createDataFrame`` (not timed),
  then ``resolve`` and the clusters written to Parquet (timed), rounds and shuffle
  volume per round reported.
- Splink 5 on Spark, same session settings: one table of the five exact identifier
  columns (email, phone, cookie, device, loyalty card), already normalized by
  identigraph outside the timed part, ``deterministic_link`` with one exact rule a
  column plus ``cluster_pairwise_predictions_at_threshold``, clusters written to
  Parquet (timed). Splink links on the same identifiers, without per-person limits
  or generic-value removal, so its partition is not expected to be the same.

Peak memory is the peak RSS of the Python process plus, for Spark, the JVM's
(read from /proc at the end of the run: the JVM is a child of the driver).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import identigraph as ig
from identigraph.cli import demo_specs

_ID_COLUMNS = ig.datasets.RECORD_ID_COLUMNS
_SPLINK_COLUMNS = {"email": "email", "phone": "phone", "cookie_id": "cookie", "device_id": "device",
                   "loyalty_card": "loyalty_card"}  # fmt: skip


def _data(records: int, junk: float) -> dict[str, pd.DataFrame]:
    sources, _ = ig.datasets.customers(
        n_persons=ig.datasets.n_persons_for(records), seed=1, junk_rate=junk
    )
    return sources


def _session(memory: str, partitions: int, events: str):  # type: ignore[no-untyped-def]
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.jars", similarity_jar_location())
        .config("spark.local.dir", tempfile.mkdtemp(prefix="bench-spark-local-"))
        .config("spark.eventLog.enabled", "true")
        .config("spark.eventLog.dir", events)
        .config("spark.eventLog.compress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="bench-spark-ckpt-"))
    return spark


def _jvm_peak_rss_gib() -> float:
    """Peak RSS (VmHWM) of the JVM children of this process."""
    total = 0.0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(os.getpid()) and "java" in fields.get("Name", ""):
            total += int(fields.get("VmHWM", "0 kB").split()[0]) / 2**20
    return total


def _spark_frames(spark, sources: dict[str, pd.DataFrame]):  # type: ignore[no-untyped-def]
    """Each source through Parquet (as a nightly job reads its tables), cached."""
    frames = {}
    folder = Path(tempfile.mkdtemp(prefix="bench-spark-in-"))
    for name, frame in sources.items():
        # Timestamps and floats are not needed to link; strings and ids keep their types.
        keep = [c for c in frame.columns if frame[c].dtype.kind not in "Mf"]
        path = folder / f"{name}.parquet"
        frame[keep].astype({c: object for c in keep if frame[c].dtype.kind not in "iu"}).to_parquet(
            path
        )
        frames[name] = spark.read.parquet(str(path)).repartition(4).cache()
        frames[name].count()
    return frames


def _event_summary(events: str, group: str) -> dict[str, object]:
    """Jobs, per-stage times and shuffle bytes of the timed jobs, from the event log."""
    jobs: dict[int, list[int]] = {}
    stages: dict[int, dict[str, object]] = {}
    for path in sorted(Path(events).rglob("events_*")):
        for line in path.open():
            event = json.loads(line)
            kind = event["Event"]
            if kind == "SparkListenerJobStart":
                if event.get("Properties", {}).get("spark.jobGroup.id") == group:
                    jobs[event["Job ID"]] = event["Stage IDs"]
            elif kind == "SparkListenerStageCompleted":
                info = event["Stage Info"]
                acc = {a["Name"]: int(a.get("Value") or 0) for a in info.get("Accumulables", [])
                       if str(a.get("Value", "")).lstrip("-").isdigit()}  # fmt: skip
                read = acc.get("internal.metrics.shuffle.read.localBytesRead", 0) + acc.get(
                    "internal.metrics.shuffle.read.remoteBytesRead", 0
                )
                stages[info["Stage ID"]] = {
                    "name": info["Stage Name"][:40],
                    "seconds": round((info["Completion Time"] - info["Submission Time"]) / 1e3, 2),
                    "tasks": info["Number of Tasks"],
                    "read_mib": round(read / 2**20, 1),
                    "write_mib": round(
                        acc.get("internal.metrics.shuffle.write.bytesWritten", 0) / 2**20, 1
                    ),
                }
    ran = [stages[i] for ids in jobs.values() for i in ids if i in stages]
    return {
        "jobs": len(jobs),
        "stages_run": len(ran),
        "shuffle_read_mib": round(sum(float(st["read_mib"]) for st in ran), 1),  # type: ignore[arg-type]
        "shuffle_write_mib": round(sum(float(st["write_mib"]) for st in ran), 1),  # type: ignore[arg-type]
        "stages": [st for st in ran if float(st["seconds"]) >= 1.0],  # type: ignore[arg-type]
    }


def worker(
    engine: str,
    records: int,
    junk: float,
    out: str,
    partitions: int,
    local_edges: int,
    memory: str = "6g",
) -> dict[str, float]:
    sources = _data(records, junk)
    n = sum(len(f) for f in sources.values())
    result: dict[str, float] = {"records": n}
    if engine == "pandas":
        start = time.perf_counter()
        g = ig.IdentityGraph(demo_specs())
        for name, frame in sources.items():
            g.add(frame, source=name, id=_ID_COLUMNS[name])
        clusters = g.clusters()
        result["seconds"] = time.perf_counter() - start
        result["persons"] = int(clusters["person_id"].nunique())
        clusters.assign(source=clusters["source"].astype(str),
                        record_id=clusters["record_id"].astype(str)).to_parquet(out)  # fmt: skip
    elif engine == "spark":
        from identigraph import spark as igs

        t0 = time.perf_counter()
        events = tempfile.mkdtemp(prefix="bench-spark-events-")
        spark = _session(memory, partitions, events)
        frames = _spark_frames(spark, sources)
        del sources
        result["load_seconds"] = time.perf_counter() - t0
        spark.sparkContext.setJobGroup("timed", "identigraph.spark")
        start = time.perf_counter()
        res = igs.resolve(
            frames, identifiers=demo_specs(), ids=_ID_COLUMNS, local_edges=local_edges
        )
        res.clusters.write.mode("overwrite").parquet(out)
        result["seconds"] = time.perf_counter() - start
        result["rounds"] = res.rounds
        result["edges_per_round"] = list(res.edges_per_round)  # type: ignore[assignment]
        result["jvm_peak_gib"] = _jvm_peak_rss_gib()
        spark.stop()
        result.update(_event_summary(events, "timed"))  # type: ignore[arg-type]
    elif engine == "splink":
        import splink.comparison_library as cl  # noqa: F401  (loads the library's SQL dialects)
        from splink import Linker, SettingsCreator, block_on
        from splink.backends.spark import SparkAPI

        t0 = time.perf_counter()
        events = tempfile.mkdtemp(prefix="bench-spark-events-")
        spark = _session(memory, partitions, events)
        parts = []
        for name, frame in sources.items():
            table = pd.DataFrame({"unique_id": name + ":" + frame[_ID_COLUMNS[name]].astype(str)})
            for spec in demo_specs():
                if spec.column in _SPLINK_COLUMNS and spec.column in frame.columns:
                    codes, uniques = pd.factorize(frame[spec.column])
                    text = spec.to_text(pd.Series(uniques))
                    keys = np.full(len(text), None, dtype=object)
                    present = text.notna().to_numpy()
                    keys[present] = spec.normalize(text[present]).keys
                    table[_SPLINK_COLUMNS[spec.column]] = np.append(keys, None)[codes]
            parts.append(table)
        table = (
            pd.concat(parts, ignore_index=True)
            .reindex(columns=["unique_id", *_SPLINK_COLUMNS.values()])
            .astype(object)
        )
        table = table.where(table.notna(), None)
        path = Path(tempfile.mkdtemp(prefix="bench-splink-in-")) / "table.parquet"
        table.to_parquet(path)
        sdf = spark.read.parquet(str(path)).repartition(4).cache()
        sdf.count()
        result["load_seconds"] = time.perf_counter() - t0
        spark.sparkContext.setJobGroup("timed", "splink")
        start = time.perf_counter()
        settings = SettingsCreator(
            link_type="dedupe_only",
            unique_id_column_name="unique_id",
            blocking_rules_to_generate_predictions=[block_on(c) for c in _SPLINK_COLUMNS.values()],
            comparisons=[],
            retain_intermediate_calculation_columns=False,
        )
        db_api = SparkAPI(spark_session=spark)
        linker = Linker([db_api.register(sdf)], settings)
        pairs = linker.inference.deterministic_link()
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs)
        clusters.as_spark_dataframe().select("unique_id", "cluster_id").write.mode(
            "overwrite"
        ).parquet(out)
        result["seconds"] = time.perf_counter() - start
        result["jvm_peak_gib"] = _jvm_peak_rss_gib()
        spark.stop()
        result.update(_event_summary(events, "timed"))  # type: ignore[arg-type]
    result["python_peak_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return result


def _same(pandas_out: str, spark_out: str) -> bool:
    a = pd.read_parquet(pandas_out)
    b = pd.read_parquet(spark_out).astype({"record_id": str, "source": str})
    key = ["source", "record_id", "person_id"]
    a = a[key].sort_values(key, ignore_index=True)
    b = b[key].sort_values(key, ignore_index=True)
    return bool(a.equals(b))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--junk", type=float, default=0.01)
    parser.add_argument("--skip-splink", action="store_true")
    parser.add_argument("--partitions", type=int, default=4, help="spark.sql.shuffle.partitions")
    parser.add_argument(
        "--local-edges", type=int, default=2_000_000, help="resolve(local_edges=...); 0: rounds"
    )
    parser.add_argument("--memory", default="6g", help="spark.driver.memory")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--worker", nargs=3, metavar=("ENGINE", "RECORDS", "OUT"))
    args = parser.parse_args()
    if args.worker:
        engine, records, out = args.worker
        print(json.dumps(
            worker(engine, int(records), args.junk, out, args.partitions, args.local_edges,
                   args.memory)
        ))  # fmt: skip
        return
    engines = ([] if args.skip_pandas else ["pandas"]) + ["spark"]
    engines += [] if args.skip_splink else ["splink"]
    for records in args.records:
        tmp = tempfile.mkdtemp(prefix="bench-spark-")
        rows = {}
        print("load average before:", Path("/proc/loadavg").read_text().split()[:3], flush=True)
        for engine in engines:
            out = str(Path(tmp) / f"{engine}.parquet")
            run = subprocess.run(
                [sys.executable, __file__, "--junk", str(args.junk), "--partitions",
                 str(args.partitions), "--local-edges", str(args.local_edges), "--memory",
                 args.memory, "--worker", engine, str(records), out],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if run.returncode:
                print(f"{engine} failed:\n{run.stderr[-3000:]}")
                continue
            rows[engine] = json.loads(run.stdout.strip().splitlines()[-1])
            print(engine, json.dumps(rows[engine]), flush=True)
        if "pandas" in rows and "spark" in rows:
            same = _same(str(Path(tmp) / "pandas.parquet"), str(Path(tmp) / "spark.parquet"))
            print(f"spark clusters == pandas clusters: {same}")
        for engine in ("spark", "splink"):
            if engine in rows and "pandas" in rows:
                ratio = rows[engine]["seconds"] / rows["pandas"]["seconds"]
                print(f"{engine} / pandas wall time: {ratio:.2f}")
        print("load average after:", Path("/proc/loadavg").read_text().split()[:3], flush=True)
        if "spark" in rows and "splink" in rows:
            ratio = rows["splink"]["seconds"] / rows["spark"]["seconds"]
            print(f"splink / identigraph.spark wall time: {ratio:.2f}")


if __name__ == "__main__":
    main()
