"""AWS Glue 5.0 job: one day of raw orders and customers to curated Parquet, quarantine and a manifest.

Job arguments (Glue passes them as `--KEY value`): JOB_NAME, ENV, RUN_DATE (YYYY-MM-DD, the data
interval's day), RAW_ROOT, CURATED_ROOT, QUARANTINE_ROOT (s3:// roots in the cloud, directories
locally), LANDING_CONTRACT (JSON from include/dataops/pipeline/landing.py, the sensor's contract
too). The contract it keeps is docs/data-contracts.md.

What it reads: the partition's files named as data by the landing contract. Empty markers are
skipped; any other file is not read, is listed in the manifest's unexpected_files, and warns or
fails the run (the contract's on_violation). A data file whose first bytes say it is compressed
other than as its name says (gzip without .gz, .gz that is not gzip, bzip2, zstd, xz, zip) is
quarantined whole as unreadable_file with that one reason. A UTF-8 byte-order mark at a file's start
is dropped; CRLF line ends are line ends; lines have no length limit; timestamps with offsets are
read as the instant they name (UTC).

Nothing is lost: every raw line is written, quarantined with a reason from REASONS, or counted
as a duplicate, and the manifest proves it (read == written + quarantined_total + deduplicated).

How records are judged, first failing check wins: invalid_encoding (not UTF-8), malformed_json
(not a JSON object, blank lines included), missing_field (a contract field absent or null),
wrong_type (a number that is not a JSON number, a timestamp Spark cannot read), invalid_value
(order_total negative, above MAX_ORDER_TOTAL or not finite; item_count outside 1..MAX_ITEM_COUNT;
currency other than CAD; country not two capital letters), unknown_status, then
created_outside_partition (created_at's UTC day is not RUN_DATE). A file Spark cannot read (for
example invalid gzip) is quarantined whole as unreadable_file and counts as one record read.

An order whose customer_id is not among this day's customers is written all the same, not
quarantined: its customer may have landed on an earlier day or land on a later one, and dbt holds
the order out of the marts until it arrives (dbt/README.md). So the job reads only RUN_DATE's raw
partitions, and loading days in any order gives the same curated zone and the same marts.

Duplicates among the remaining records: per key the latest updated_at wins; on a tie the record
later in the raw data wins (greater file name, then greater line number). The losers are counted
as deduplicated. Fields outside the contract are schema drift: dropped, counted in the manifest.

Speed: no Python UDFs; each raw line is parsed by from_json twice (as a map of strings, for
presence and drift, and with numeric types, for type checks), classified in one projection, cached
once, and counted in one aggregation. Line numbers come from reading each file as one partition.
"""

from __future__ import annotations

import json
import operator
import os
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import reduce
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

JOB_ARGS = ("JOB_NAME", "ENV", "RUN_DATE", "RAW_ROOT", "CURATED_ROOT", "QUARANTINE_ROOT", "LANDING_CONTRACT")
REASONS = (
    "unreadable_file",
    "invalid_encoding",
    "malformed_json",
    "missing_field",
    "wrong_type",
    "invalid_value",
    "unknown_status",
    "created_outside_partition",
)
ORDER_STATUSES = ("pending", "confirmed", "shipped", "delivered", "cancelled")
CURRENCY = "CAD"
MAX_ORDER_TOTAL = 1_000_000
MAX_ITEM_COUNT = 10_000
MANIFEST_PREFIX = "_manifests/orders_transform"
# What a compressed file starts with, whatever its name; only gzip named *.gz is read.
COMPRESSION_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"PK\x03\x04", "zip"),
)
UTF8_BOM = "\ufeff"
# Lineage: the job's own OpenLineage events (raw partition -> curated and quarantine). The transport
# is the Airflow provider's setting when Airflow started the job (local Spark inherits its
# environment), else the optional --OPENLINEAGE_TRANSPORT job argument (JSON), else the client's
# own OPENLINEAGE_* configuration; with none, or without the client (AWS Glue 5.0 does not ship
# it), the job runs unchanged and says so in one log line.
LINEAGE_JOB_NAMESPACE = "dataops"
LINEAGE_PRODUCER = "https://github.com/dataops/orders/glue_jobs/orders_transform.py"

# Each file is read as one Spark partition, so a row's index in its partition is its line number.
_ONE_FILE_PER_PARTITION = str(1 << 40)
_ROW_IN_PARTITION_MASK = (1 << 33) - 1  # monotonically_increasing_id keeps the row number in 33 bits
_JOB_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.files.maxPartitionBytes": _ONE_FILE_PER_PARTITION,
    "spark.sql.files.openCostInBytes": _ONE_FILE_PER_PARTITION,
}


class JobInputError(Exception):
    """A problem with the job's input that an operator fixes; the message says how, in one line."""


@dataclass(frozen=True)
class _Dataset:
    name: str
    key: str
    strings: tuple[str, ...]
    timestamps: tuple[str, ...]
    numbers: tuple[tuple[str, T.DataType], ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        return (*self.strings, *(n for n, _ in self.numbers), *self.timestamps)


ORDERS = _Dataset(
    name="orders",
    key="order_id",
    strings=("order_id", "customer_id", "currency", "order_status"),
    numbers=(("order_total", T.DoubleType()), ("item_count", T.LongType())),
    timestamps=("created_at", "updated_at"),
)
CUSTOMERS = _Dataset(
    name="customers",
    key="customer_id",
    strings=("customer_id", "customer_name", "email", "country"),
    timestamps=("signup_at", "updated_at"),
)


def transform(spark: SparkSession, args: dict[str, str]) -> dict[str, Any]:
    """Run the job for args["RUN_DATE"] on `spark` and return the manifest it wrote."""
    missing = [name for name in JOB_ARGS if not args.get(name)]
    if missing:
        raise JobInputError(f"missing job arguments {', '.join('--' + m for m in missing)}: pass them all.")
    run_date = _parse_run_date(args["RUN_DATE"])
    contract = _LandingContract.parse(args["LANDING_CONTRACT"])
    roots = {key: args[key].rstrip("/") for key in ("RAW_ROOT", "CURATED_ROOT", "QUARANTINE_ROOT")}
    started_at = _now()
    with _job_conf(spark):
        customers_in = _raw_partition(spark, roots["RAW_ROOT"], CUSTOMERS.name, run_date, contract)
        orders_in = _raw_partition(spark, roots["RAW_ROOT"], ORDERS.name, run_date, contract)
        _enforce_contract(contract, (orders_in, customers_in))
        customers = _classify(spark, customers_in, CUSTOMERS, run_date)
        orders = _classify(spark, orders_in, ORDERS, run_date)
        datasets = {
            spec.name: _finish(spark, spec, raw, classified, run_date, roots)
            for spec, raw, classified in ((CUSTOMERS, customers_in, customers), (ORDERS, orders_in, orders))
        }
        orders.unpersist()
        customers.unpersist()
    manifest = {
        "job_name": args["JOB_NAME"],
        "environment": args["ENV"],
        "run_date": run_date.isoformat(),
        "started_at": started_at,
        "finished_at": _now(),
        "datasets": {"orders": datasets["orders"], "customers": datasets["customers"]},
    }
    _write_text(spark, manifest_path(roots["CURATED_ROOT"], run_date), json.dumps(manifest, indent=2))
    return manifest


def manifest_path(curated_root: str, run_date: date) -> str:
    """Where the manifest of `run_date` lives (docs/data-contracts.md)."""
    return f"{curated_root.rstrip('/')}/{MANIFEST_PREFIX}/dt={run_date.isoformat()}.json"


def _parse_run_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise JobInputError(f"--RUN_DATE must be YYYY-MM-DD, got {value!r}.") from None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@contextmanager
def _job_conf(spark: SparkSession) -> Iterator[None]:
    """Set the job's session options, and restore them: tests share one session."""
    previous = {key: spark.conf.get(key, None) for key in _JOB_CONF}
    for key, value in _JOB_CONF.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


# ---------------------------------------------------------------- files, through Hadoop's FileSystem
# Hadoop's FileSystem reaches s3:// on Glue and the local disk here alike, with nothing to install.


def _hadoop_path(spark: SparkSession, path: str) -> tuple[Any, Any]:
    jvm_path = spark._jvm.org.apache.hadoop.fs.Path(path)
    return jvm_path.getFileSystem(spark._jsc.hadoopConfiguration()), jvm_path


@dataclass(frozen=True)
class _RawFile:
    name: str
    path: str
    size: int


@dataclass(frozen=True)
class _RawPartition:
    dataset: str
    path: str
    files: tuple[_RawFile, ...]  # named as data: read, or rejected for their content
    rejected: dict[str, str]  # data file name -> why its content is not read (one reason)
    unexpected: tuple[_RawFile, ...]  # outside the landing contract: never read

    @property
    def readable(self) -> list[_RawFile]:
        return [f for f in self.files if f.size > 0 and f.name not in self.rejected]


@dataclass(frozen=True)
class _LandingContract:
    """The landing contract (include/dataops/pipeline/landing.py), passed in as --LANDING_CONTRACT."""

    data_suffixes: tuple[str, ...]
    compressed_suffix: str
    markers: tuple[str, ...]
    on_violation: str

    @classmethod
    def parse(cls, text: str) -> _LandingContract:
        try:
            raw = json.loads(text)
            contract = cls(
                tuple(raw["data_suffixes"]),
                raw["compressed_suffix"],
                tuple(raw["markers"]),
                raw["on_violation"],
            )
        except (ValueError, KeyError, TypeError):
            raise JobInputError(
                f"--LANDING_CONTRACT {text[:80]!r} is not the landing contract's JSON: "
                "pass include.dataops.pipeline.landing.contract_argument(...)."
            ) from None
        if contract.on_violation not in ("warn", "fail"):
            raise JobInputError(
                f"--LANDING_CONTRACT on_violation {contract.on_violation!r}: use warn or fail."
            )
        return contract

    def kind(self, name: str, size: int) -> str:
        """'data', 'marker' or 'unexpected', as landing.file_kind decides."""
        if name in self.markers and size == 0:
            return "marker"
        if name.startswith(("_", ".")):
            return "unexpected"
        bare = name.removesuffix(self.compressed_suffix)
        return "data" if bare.endswith(self.data_suffixes) else "unexpected"


def _enforce_contract(contract: _LandingContract, partitions: tuple[_RawPartition, ...]) -> None:
    """Files outside the contract fail the run before anything is written, or warn (the setting)."""
    found = [f"{p.dataset}/{f.name}" for p in partitions for f in p.unexpected]
    if not found:
        return
    message = (
        f"raw files outside the landing contract, not read: {', '.join(found)}: name data files "
        f"*{{{','.join(contract.data_suffixes)}}}[{contract.compressed_suffix}] and keep only empty "
        f"{'/'.join(contract.markers)} markers beside them"
    )
    if contract.on_violation == "fail":
        raise JobInputError(message)
    print(f"warning: {message}", file=sys.stderr)


def _raw_partition(
    spark: SparkSession, raw_root: str, dataset: str, run_date: date, contract: _LandingContract
) -> _RawPartition:
    """One raw partition's files by the landing contract; data files' content is sniffed for compression."""
    path = f"{raw_root}/{dataset}/dt={run_date.isoformat()}"
    fs, jvm_path = _hadoop_path(spark, path)
    if not fs.exists(jvm_path):
        raise JobInputError(
            f"raw partition {path} does not exist: land the {dataset} files for {run_date} there "
            "(or generate them with tooling.local.sample_data), or run for a day that has data."
        )
    kinds: dict[str, list[_RawFile]] = {"data": [], "marker": [], "unexpected": []}
    for status in fs.listStatus(jvm_path):
        raw_file = _RawFile(status.getPath().getName(), status.getPath().toString(), status.getLen())
        kind = contract.kind(raw_file.name, raw_file.size) if status.isFile() else "unexpected"
        kinds[kind].append(raw_file)
    files = tuple(sorted(kinds["data"], key=lambda f: f.name))
    rejected = {f.name: why for f in files if (why := _compression_rejection(spark, f, contract)) is not None}
    unexpected = tuple(sorted(kinds["unexpected"], key=lambda f: f.name))
    return _RawPartition(dataset, path, files, rejected, unexpected)


def _compression_rejection(spark: SparkSession, raw_file: _RawFile, contract: _LandingContract) -> str | None:
    """Why a data file's content cannot be read as its name says (None: it can), from its first bytes."""
    if raw_file.size == 0:
        return None
    fs, jvm_path = _hadoop_path(spark, raw_file.path)
    stream = fs.open(jvm_path)
    try:
        head = bytes(b for b in (stream.read() for _ in range(6)) if b >= 0)
    finally:
        stream.close()
    compression = next((name for magic, name in COMPRESSION_MAGIC if head.startswith(magic)), None)
    gz = contract.compressed_suffix
    named_gzip = raw_file.name.endswith(gz)
    if compression == "gzip" and not named_gzip:
        return f"gzip content under a name without {gz}: rename it {raw_file.name}{gz}"
    if compression not in (None, "gzip"):
        return (
            f"{compression}-compressed content, which the job does not read: land it as gzip (*{gz}) or plain"
        )
    if named_gzip and compression is None:
        return f"named {gz} but its content is not gzip: land it plain, without {gz}"
    return None


def _unreadable_detail(spark: SparkSession, raw_file: _RawFile) -> str | None:
    """Why a non-empty file gave no lines (None: it decodes to nothing, so it is empty)."""
    fs, jvm_path = _hadoop_path(spark, raw_file.path)
    codecs = spark._jvm.org.apache.hadoop.io.compress.CompressionCodecFactory(
        spark._jsc.hadoopConfiguration()
    )
    codec = codecs.getCodec(jvm_path)
    stream = fs.open(jvm_path)
    try:
        reader = codec.createInputStream(stream) if codec is not None else stream
        return None if reader.read() == -1 else "the file has bytes but Spark read no lines from it"
    except Exception as exc:  # py4j wraps the Java IOException; its first line is the reason
        message = str(exc).strip().splitlines()
        cause = next((line for line in message if "Exception:" in line), message[0] if message else "")
        return f"cannot read the file ({cause.strip()[:200]}): fix or replace it, then rerun"
    finally:
        stream.close()


def _empty(spark: SparkSession, **columns: str) -> DataFrame:
    """An empty DataFrame of typed columns; spark.createDataFrame would import pandas (seconds) for it."""
    return spark.range(0).select(*[F.lit(None).cast(kind).alias(name) for name, kind in columns.items()])


def _write_text(spark: SparkSession, path: str, text: str) -> None:
    fs, jvm_path = _hadoop_path(spark, path)
    out = fs.create(jvm_path, True)
    try:
        out.write(bytearray(text.encode("utf-8")))
    finally:
        out.close()


def _delete(spark: SparkSession, path: str) -> None:
    fs, jvm_path = _hadoop_path(spark, path)
    if fs.exists(jvm_path):
        fs.delete(jvm_path, True)


# ---------------------------------------------------------------- parsing and judging records


def _lines(spark: SparkSession, partition: _RawPartition) -> DataFrame:
    """Every line of the partition's non-empty files, with its source file and 1-based line number."""
    paths = [f.path for f in partition.readable]
    if not paths:
        return _empty(spark, value="string", _source_file="string", _source_line="long")
    return (
        spark.read.option("ignoreCorruptFiles", "true")
        .text(paths)
        .select(
            "value",
            F.input_file_name().alias("_source_file"),
            (F.monotonically_increasing_id().bitwiseAND(_ROW_IN_PARTITION_MASK) + 1).alias("_source_line"),
        )
        # A file may start with a UTF-8 byte-order mark; substr keeps the line's bytes as they are.
        .withColumn(
            "value",
            F.when(
                (F.col("_source_line") == 1) & F.col("value").startswith(UTF8_BOM), F.expr("substr(value, 2)")
            ).otherwise(F.col("value")),
        )
    )


def _first(pairs: list[tuple[Column, Column | str]]) -> Column:
    """The value of the first true condition (a CASE WHEN chain), null if none holds."""
    result = None
    for condition, value in pairs:
        value_col = F.lit(value) if isinstance(value, str) else value
        result = F.when(condition, value_col) if result is None else result.when(condition, value_col)
    assert result is not None
    return result


def _any(checks: list[tuple[str, Column]]) -> Column:
    return reduce(operator.or_, [check for _, check in checks])


def _names_where(checks: list[tuple[str, Column]], suffix: str) -> Column:
    """A readable list of the fields whose check holds, e.g. "order_total, item_count: <suffix>"."""
    names = F.concat_ws(", ", *[F.when(check, F.lit(name)) for name, check in checks])
    return F.concat(names, F.lit(suffix))


def _escaped(value: Column) -> Column:
    """A line that is not UTF-8, as text: printable ASCII kept, every other byte as \\xNN."""
    hexed = F.hex(value.cast("binary"))

    def one_byte(i: Column) -> Column:
        pair = hexed.substr(i * 2 + 1, F.lit(2))
        code = F.conv(pair, 16, 10).cast("int")
        return F.when(code.between(32, 126), F.decode(F.unhex(pair), "US-ASCII")).otherwise(
            F.concat(F.lit("\\x"), F.lower(pair))
        )

    return F.array_join(F.transform(F.sequence(F.lit(0), F.length(value.cast("binary")) - 1), one_byte), "")


def _classify(
    spark: SparkSession,
    partition: _RawPartition,
    spec: _Dataset,
    run_date: date,
) -> DataFrame:
    """Every line typed, judged and ranked, cached once: the job's counts and writes all read it.

    A record is written when `reason` is null and `_rank` is 1; `raw` is kept for rejected lines only.
    """
    raw = F.col("value")
    m = F.col("_map")
    parsed = _lines(spark, partition).select(
        "value",
        "_source_file",
        "_source_line",
        F.from_json(raw, T.MapType(T.StringType(), T.StringType())).alias("_map"),
    )
    # One JSON parse per line, as a map of strings: presence, drift and values in one pass. A number
    # sent as a JSON string ("12.50") reads like a number there, so a regex on the line catches it.
    number_names = [name for name, _ in spec.numbers]
    typed = parsed.select(
        "value",
        "_source_file",
        "_source_line",
        (F.encode(F.decode(raw.cast("binary"), "UTF-8"), "UTF-8") == raw.cast("binary")).alias("_utf8"),
        F.array_except(F.map_keys(m), F.array(*[F.lit(f) for f in spec.fields])).alias("_extra"),
        *[m.getItem(name).isNull().alias(f"_missing_{name}") for name in spec.fields],
        *[m.getItem(name).alias(name) for name in spec.strings],
        *[m.getItem(name).alias(f"_text_{name}") for name in spec.timestamps],
        *[F.expr(f"try_cast(_map['{name}'] as {t.simpleString()})").alias(name) for name, t in spec.numbers],
        *[F.expr(f"try_cast(_map['{name}'] as timestamp)").alias(name) for name in spec.timestamps],
        (
            F.regexp_extract(raw, f'"({"|".join(number_names)})"\\s*:\\s*"', 1) if number_names else F.lit("")
        ).alias("_quoted_number"),
        m.isNull().alias("_not_object"),
    )
    missing = [(name, F.col(f"_missing_{name}")) for name in spec.fields]
    wrong = [(name, F.col(name).isNull() | (F.col("_quoted_number") == name)) for name in number_names] + [
        (name, F.col(name).isNull()) for name in spec.timestamps
    ]
    invalid, extra_checks = _value_checks(spec)
    checks: list[tuple[str, Column, Column]] = [
        ("invalid_encoding", ~F.col("_utf8"), F.lit("the line is not valid UTF-8")),
        (
            "malformed_json",
            F.col("_not_object"),
            F.when(F.trim(raw) == "", F.lit("blank line")).otherwise(F.lit("not a JSON object")),
        ),
        ("missing_field", _any(missing), _names_where(missing, ": missing or null")),
        ("wrong_type", _any(wrong), _names_where(wrong, ": wrong type")),
        ("invalid_value", _any(invalid), _names_where(invalid, ": invalid value")),
        *extra_checks,
    ]
    if spec is ORDERS:
        checks.append(
            (
                "created_outside_partition",
                F.to_date("created_at") != F.lit(run_date),
                F.concat(F.lit(f"created_at is not on {run_date}: "), F.col("_text_created_at")),
            )
        )
    outputs = [*spec.strings, *number_names, *spec.timestamps]
    judged = typed.select(
        "value",
        "_source_file",
        "_source_line",
        "_extra",
        *outputs,
        _first([(c, reason) for reason, c, _ in checks]).alias("reason"),
        _first([(c, detail) for _, c, detail in checks]).alias("detail"),
    )
    valid = F.col("reason").isNull()
    raw_text = F.when(F.col("reason") == "invalid_encoding", _escaped(raw)).otherwise(raw)
    latest_first = (F.col("updated_at").desc(), F.col("_source_file").desc(), F.col("_source_line").desc())
    # The raw line is dropped before the dedup shuffle and sort: only a rejected line keeps it.
    kept = ("_source_file", "_source_line", "_extra", *outputs, "reason", "detail")
    narrow = judged.select(*kept, F.when(~valid, raw_text).alias("raw"))
    return narrow.select(
        "*", F.row_number().over(_window(F.col(spec.key), valid, order=latest_first)).alias("_rank")
    ).cache()


def _value_checks(spec: _Dataset) -> tuple[list[tuple[str, Column]], list[tuple[str, Column, Column]]]:
    """Per dataset: invalid_value checks by field, and any further (reason, check, detail)."""
    if spec is CUSTOMERS:
        return [("country", ~F.col("country").rlike("^[A-Z]{2}$"))], []
    total, items = F.col("order_total"), F.col("item_count")
    invalid = [
        ("order_total", F.isnan(total) | (total < 0) | (total > MAX_ORDER_TOTAL)),
        ("item_count", (items < 1) | (items > MAX_ITEM_COUNT)),
        ("currency", F.col("currency") != CURRENCY),
    ]
    status = F.col("order_status")
    unknown = ("unknown_status", ~status.isin(*ORDER_STATUSES), F.concat(F.lit("order_status: "), status))
    return invalid, [unknown]


# ---------------------------------------------------------------- counting and writing


def _finish(
    spark: SparkSession,
    spec: _Dataset,
    partition: _RawPartition,
    classified: DataFrame,
    run_date: date,
    roots: dict[str, str],
) -> dict[str, Any]:
    """Count, write curated and quarantine data for one dataset, and return its manifest entry.

    Each Spark job is labelled with its step (`<dataset>: <step>`), so the event log says where the
    time goes: the first step reads, parses, validates and dedups into the cache as it counts.
    """
    label = spark.sparkContext.setJobDescription
    label(f"{spec.name}: read, parse, validate, dedup, count")
    counts = classified.agg(
        F.count(F.lit(1)).alias("read"),
        F.sum((F.col("reason").isNull() & (F.col("_rank") == 1)).cast("long")).alias("written"),
        F.sum(F.col("reason").isNull().cast("long")).alias("valid"),
        F.collect_set("_source_file").alias("seen"),
        # Drifting records are few, so their extra field names are collected with the counts.
        F.flatten(F.collect_list(F.when(F.size("_extra") > 0, F.col("_extra")))).alias("drift"),
        *[F.sum((F.col("reason") == r).cast("long")).alias(r) for r in REASONS],
    ).first()
    seen_names = {path.rstrip("/").rsplit("/", 1)[-1] for path in counts["seen"] or []}
    empty_files = [f.name for f in partition.files if f.size == 0]
    unreadable = [(f, partition.rejected[f.name]) for f in partition.files if f.name in partition.rejected]
    for raw_file in partition.readable:
        if raw_file.name not in seen_names:
            detail = _unreadable_detail(spark, raw_file)
            if detail is None:
                empty_files.append(raw_file.name)
            else:
                unreadable.append((raw_file, detail))

    quarantined = {r: int(counts[r] or 0) for r in REASONS if counts[r]}
    if unreadable:
        quarantined["unreadable_file"] = len(unreadable)
    written, valid = int(counts["written"] or 0), int(counts["valid"] or 0)
    dt = run_date.isoformat()

    curated_dir = f"{roots['CURATED_ROOT']}/{spec.name}"
    label(f"{spec.name}: write curated")
    if written:
        _curated(classified, spec).withColumn("dt", F.lit(dt)).write.mode("overwrite").option(
            "partitionOverwriteMode", "dynamic"
        ).partitionBy("dt").parquet(curated_dir)
    else:
        _delete(spark, f"{curated_dir}/dt={dt}")  # a rerun with nothing to write leaves nothing stale

    quarantine_dir = f"{roots['QUARANTINE_ROOT']}/{spec.name}"
    label(f"{spec.name}: write quarantine")
    if quarantined:
        _quarantine(spark, classified, spec, unreadable).withColumn("dt", F.lit(dt)).repartition(
            1
        ).write.mode("overwrite").option("partitionOverwriteMode", "dynamic").option(
            "ignoreNullFields", "false"
        ).partitionBy("dt").json(quarantine_dir)
    else:
        _delete(spark, f"{quarantine_dir}/dt={dt}")

    label(None)
    return {
        "read": int(counts["read"]) + len(unreadable),
        "written": written,
        "deduplicated": valid - written,
        "quarantined": dict(sorted(quarantined.items())),
        "quarantined_total": sum(quarantined.values()),
        "files": [f.name for f in partition.files],
        "empty_files": sorted(empty_files),
        "unreadable_files": sorted(f.name for f, _ in unreadable),
        "unexpected_files": [f.name for f in partition.unexpected],
        "schema_drift": {"unexpected_fields": dict(sorted(Counter(counts["drift"] or []).items()))},
    }


def _curated(classified: DataFrame, spec: _Dataset) -> DataFrame:
    """The valid records, one per key (the latest by updated_at, then by file and line)."""
    return classified.where(F.col("reason").isNull() & (F.col("_rank") == 1)).select(
        *_curated_columns(spec), "_source_file", "_source_line"
    )


def _curated_columns(spec: _Dataset) -> list[Column | str]:
    """The contract's curated columns: cents as decimal(12,2), item_count as int."""
    if spec is CUSTOMERS:
        return ["customer_id", "customer_name", "email", "country", "signup_at", "updated_at"]
    return [
        "order_id",
        "customer_id",
        F.col("order_total").cast("decimal(12,2)").alias("order_total"),
        "currency",
        "order_status",
        F.col("item_count").cast("int").alias("item_count"),
        "created_at",
        "updated_at",
    ]


def _window(*keys: Column, order: tuple[Column, ...]) -> Any:
    from pyspark.sql.window import Window

    return Window.partitionBy(*keys).orderBy(*order)


def _quarantine(
    spark: SparkSession, classified: DataFrame, spec: _Dataset, unreadable: list[tuple[_RawFile, str]]
) -> DataFrame:
    rows = classified.where(F.col("reason").isNotNull()).select(
        F.lit(spec.name).alias("dataset"),
        "reason",
        "detail",
        F.col("_source_file").alias("source_file"),
        F.col("_source_line").alias("source_line"),
        "raw",
    )
    if not unreadable:
        return rows
    files = spark.createDataFrame(
        [(spec.name, "unreadable_file", detail, f.path, 0, None) for f, detail in unreadable],
        rows.schema,
    )
    return rows.unionByName(files)


def lineage_name(location: str) -> tuple[str, str]:
    """OpenLineage naming spec: s3://bucket/key is ("s3://bucket", "key"); a local path ("file", path)."""
    if "://" in location:
        scheme, rest = location.split("://", 1)
        bucket, _, key = rest.partition("/")
        return f"{'s3' if scheme in ('s3a', 's3n') else scheme}://{bucket}", key.rstrip("/")
    return "file", os.path.abspath(location)


def lineage_datasets(args: dict[str, str]) -> tuple[list[tuple[str, str]], list[tuple[str, str, str, str]]]:
    """The job's inputs (each raw partition of the day) and outputs (curated and quarantine tables),
    the outputs with the dataset and the manifest count of rows written to each.
    """
    day = args["RUN_DATE"]
    inputs = [lineage_name(f"{args['RAW_ROOT'].rstrip('/')}/{d.name}/dt={day}") for d in (ORDERS, CUSTOMERS)]
    outputs = [
        (*lineage_name(f"{args[root].rstrip('/')}/{d.name}"), d.name, count)
        for root, count in (("CURATED_ROOT", "written"), ("QUARANTINE_ROOT", "quarantined_total"))
        for d in (ORDERS, CUSTOMERS)
    ]
    return inputs, outputs


class _Lineage:
    """START, then COMPLETE or FAIL, for one job run; a no-op when no client or transport exists."""

    def __init__(self, args: dict[str, str]) -> None:
        self.args, self.run_id, self.client = args, str(uuid.uuid4()), None
        transport = os.environ.get("AIRFLOW__OPENLINEAGE__TRANSPORT") or args.get("OPENLINEAGE_TRANSPORT")
        configured = transport or any(k.startswith("OPENLINEAGE") for k in os.environ)
        try:
            from openlineage.client import OpenLineageClient
        except ImportError:
            print("lineage: the OpenLineage client is not installed: no lineage events", file=sys.stderr)
            return
        if not configured:
            print("lineage: no OpenLineage transport is configured: no lineage events", file=sys.stderr)
            return
        self.client = OpenLineageClient(config={"transport": json.loads(transport)} if transport else None)

    def emit(self, state: str, manifest: dict[str, Any] | None = None) -> None:
        if self.client is None:
            return
        from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
        from openlineage.client.facet_v2 import output_statistics_output_dataset

        inputs, outputs = lineage_datasets(self.args)
        counts = (manifest or {}).get("datasets") or {}
        out = []
        for namespace, name, dataset, count in outputs:
            facets = (
                {"outputStatistics": output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
                    rowCount=int(counts[dataset].get(count, 0)))}
                if dataset in counts else {}
            )  # fmt: skip
            out.append(OutputDataset(namespace=namespace, name=name, outputFacets=facets))
        self.client.emit(
            RunEvent(
                eventType=getattr(RunState, state),
                eventTime=_now(),
                run=Run(runId=self.run_id),
                job=Job(namespace=LINEAGE_JOB_NAMESPACE, name=self.args["JOB_NAME"]),
                producer=LINEAGE_PRODUCER,
                inputs=[InputDataset(namespace=ns, name=name) for ns, name in inputs],
                outputs=out,
            )
        )


def main() -> None:
    """The Glue entry point: resolve the job arguments, run the transform, commit the job."""
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext

    optional = [name for name in ("OPENLINEAGE_TRANSPORT",) if f"--{name}" in sys.argv]
    args = getResolvedOptions(sys.argv, list(JOB_ARGS) + optional)
    glue_context = GlueContext(SparkContext.getOrCreate())
    job = Job(glue_context)
    job.init(args["JOB_NAME"], args)
    lineage = _Lineage(args)
    lineage.emit("START")
    try:
        manifest = transform(glue_context.spark_session, args)
    except JobInputError as exc:
        lineage.emit("FAIL")
        sys.exit(f"error: {exc}")
    lineage.emit("COMPLETE", manifest)
    for name, entry in manifest["datasets"].items():
        print(
            f"{name}: read {entry['read']}, written {entry['written']}, "
            f"quarantined {entry['quarantined_total']}, deduplicated {entry['deduplicated']}"
        )
    job.commit()


if __name__ == "__main__":
    main()
