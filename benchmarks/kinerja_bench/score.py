"""`kinerja bench score`: pandas scoring against the same core written in polars and DuckDB.

The core is what every engine computes from the raw rows: per employee, the attendance
deductions and counts, the approved and validly entered activity minutes, and the behaviour
index with its distinct raters. The pandas figures are for rules.scoring (the core alone, and
the whole score_month with trees, composite, bands, sufficiency, ranks and explanations).
"""

from __future__ import annotations

import gc
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kinerja.domain import Period
from kinerja.rules.activities import activity_components
from kinerja.rules.attendance import attendance_components
from kinerja.rules.behaviour import behaviour_components
from kinerja.rules.calendar import working_days
from kinerja.rules.frames import MonthData
from kinerja.rules.policy import Policy, load_policy
from kinerja.rules.roster import build_roster
from kinerja.rules.scoring import score_month
from kinerja_bench.generate import generate_month


@dataclass
class Result:
    engine: str
    seconds: float
    rows: int
    peak_mb: float  # high-water mark of resident memory during the run, above the start
    cpu_seconds: float = 0.0  # CPU time of the best run (all threads): shows contention

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def measure(engine: str, rows: int, fn: Callable[[], Any], repeat: int = 3) -> Result:
    """Peak memory on the first (cold) run, then the best of `repeat` wall-clock runs.

    Peak memory is the resident high-water mark above the level before the run (Linux
    /proc/self/clear_refs), taken cold so that allocator pools an engine keeps from earlier
    runs do not hide its footprint; for pandas, tracemalloc's peak of the same run is close.
    """
    gc.collect()
    base = _rss_kb("VmRSS")
    peak = 0.0
    if _reset_peak():
        fn()
        peak = (_rss_kb("VmHWM") - base) / 1024
    else:
        fn()
    best, best_cpu = float("inf"), 0.0
    for _ in range(repeat):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall = time.perf_counter() - start
        if wall < best:
            best, best_cpu = wall, time.process_time() - start_cpu
    return Result(engine, best, rows, max(peak, 0.0), best_cpu)


# --- the core in pandas (the project's own functions) ----------------------------------------


def pandas_core(data: MonthData, policy: Policy) -> Any:
    roster = build_roster(data.period, data.employees, policy.calendar)
    att = attendance_components(data.attendance, roster, policy.attendance, policy.calendar)
    target = np.maximum(roster.workdays_expected - att["days_excused"].to_numpy(), 0)
    act = activity_components(data.activities, roster, policy.activities, target)
    beh = behaviour_components(data.behaviour, roster, policy.behaviour)
    return att, act, beh


# --- the core in polars ------------------------------------------------------------------------


def _tier_expr(pl: Any, minutes: Any, tiers: list[Any]) -> Any:
    expr = pl.lit(0.0)
    # Built inside out: the last (highest) tier ends up as the outermost, first-checked test.
    for t in tiers:
        expr = pl.when(minutes >= t.from_minutes).then(pl.lit(t.deduction)).otherwise(expr)
    return expr


def polars_core(frames: dict[str, Any], data: MonthData, policy: Policy) -> Any:
    import polars as pl

    cal, ap, act, bp = policy.calendar, policy.attendance, policy.activities, policy.behaviour
    first, last = Period.parse(data.period).bounds()
    workdays = pl.Series(working_days(data.period, cal), dtype=pl.Date)

    def clock_table(col: str) -> Any:
        """Minutes of each distinct time, parsed once and joined back (like pandas does)."""
        cats = frames["attendance"][col].unique().drop_nulls().cast(pl.String)
        text = cats.str
        minutes = text.slice(0, 2).cast(pl.Int32) * 60 + text.slice(3, 2).cast(pl.Int32)
        return pl.DataFrame({col: cats.cast(pl.Categorical), f"{col}_min": minutes}).lazy()

    start = cal.work_start.hour * 60 + cal.work_start.minute
    end = cal.work_end.hour * 60 + cal.work_end.minute
    fri = cal.friday_work_end.hour * 60 + cal.friday_work_end.minute
    excused = [s.value for s in ap.excused_statuses]
    miss_in = next(t.deduction for t in ap.late_tiers if t.code == ap.missing_checkin_tier)
    miss_out = next(t.deduction for t in ap.early_tiers if t.code == ap.missing_checkout_tier)
    a = (
        frames["attendance"]
        .lazy()
        .with_columns(pl.col("work_date").dt.date().alias("d"))
        .filter(pl.col("d").is_in(workdays.implode()))
        .join(clock_table("check_in"), on="check_in", how="left")
        .join(clock_table("check_out"), on="check_out", how="left")
        .with_columns(
            late=pl.col("check_in_min") - start,
            early=pl.when(pl.col("d").dt.weekday() == 5).then(fri).otherwise(end)
            - pl.col("check_out_min"),
        )
        .with_columns(
            present=pl.col("status") == "present",
            exc=pl.col("status").is_in(excused),
        )
        .with_columns(
            points=pl.when(pl.col("present"))
            .then(
                pl.when(pl.col("late").is_null())
                .then(miss_in)
                .when(pl.col("late") > ap.grace_minutes)
                .then(_tier_expr(pl, pl.col("late"), ap.late_tiers))
                .otherwise(0.0)
                + pl.when(pl.col("early").is_null())
                .then(miss_out)
                .otherwise(_tier_expr(pl, pl.col("early"), ap.early_tiers))
            )
            .when(pl.col("exc"))
            .then(0.0)
            .otherwise(ap.unexcused_absence_deduction)
        )
        .group_by("nip")
        .agg(
            pl.len().alias("days_observed"),
            pl.col("exc").sum().alias("days_excused"),
            (pl.col("present") & (pl.col("late") > ap.grace_minutes)).sum().alias("late_count"),
            pl.col("points").sum().alias("deduction"),
        )
        .with_columns(attendance=(100 - pl.col("deduction")).clip(0, 100))
    )
    ws = act.entry_window_start.hour * 3600 + act.entry_window_start.minute * 60
    we = act.entry_window_end.hour * 3600 + act.entry_window_end.minute * 60
    closed = [d + 1 for d in act.closed_weekdays]  # polars: Monday = 1
    entered_day = pl.col("entered_at").dt.date()
    lag = (entered_day - pl.col("work_date").dt.date()).dt.total_days()
    sec = (
        pl.col("entered_at").dt.hour().cast(pl.Int32) * 3600
        + pl.col("entered_at").dt.minute().cast(pl.Int32) * 60
        + pl.col("entered_at").dt.second().cast(pl.Int32)
    )
    valid = (
        (pl.col("approval") == "approved")
        & pl.col("completed")
        & sec.is_between(ws, we)
        & ~entered_day.dt.weekday().is_in(closed)
        & lag.is_between(0, act.max_days_late)
        & pl.col("work_date").dt.date().is_between(first, last)
    )
    if act.lock_at_month_end:
        valid = valid & (entered_day <= last)
    t = (
        frames["activities"]
        .lazy()
        .filter(valid)
        .group_by("nip")
        .agg(
            pl.col("minutes").filter(pl.col("kind") == "main").sum().alias("main"),
            pl.col("minutes").filter(pl.col("kind") == "additional").sum().alias("additional"),
        )
    )
    weights = pl.DataFrame(
        {"rater_role": [r.value for r in bp.role_weights], "w": list(bp.role_weights.values())},
        schema={"rater_role": pl.Categorical, "w": pl.Float64},
    ).lazy()
    b = (
        frames["behaviour"]
        .lazy()
        .filter(
            # Categoricals share one global dictionary: equal codes mean equal NIPs.
            (pl.col("rater_nip").to_physical() != pl.col("nip").to_physical())
            & (pl.col("rater_role") != "self")
            & pl.col("item").is_in(bp.items)
        )
    )
    roles = (
        b.group_by("nip", "rater_role")
        .agg(pl.col("score").mean())
        .join(weights, on="rater_role")
        .group_by("nip")
        .agg(((pl.col("score") * pl.col("w")).sum() / pl.col("w").sum()).alias("mean"))
        .with_columns(
            behaviour=((pl.col("mean") - bp.scale_min) / (bp.scale_max - bp.scale_min) * 100)
        )
    )
    raters = b.group_by("nip").agg(pl.col("rater_nip").n_unique().alias("raters"))
    emp = frames["employees"].lazy().select("nip")
    return pl.collect_all(
        [
            emp.join(a, on="nip", how="left")
            .join(t, on="nip", how="left")
            .join(roles, on="nip", how="left")
            .join(raters, on="nip", how="left")
        ]
    )[0]


# --- the core in DuckDB ------------------------------------------------------------------------


def duckdb_core(con: Any, data: MonthData, policy: Policy) -> Any:
    cal, ap, act, bp = policy.calendar, policy.attendance, policy.activities, policy.behaviour
    first, last = Period.parse(data.period).bounds()
    days = ",".join(f"DATE '{d.isoformat()}'" for d in working_days(data.period, cal))

    def tier_sql(col: str, tiers: list[Any]) -> str:
        cases = " ".join(
            f"WHEN {col} >= {t.from_minutes} THEN {t.deduction}" for t in reversed(tiers)
        )
        return f"CASE {cases} ELSE 0 END"

    def minutes(col: str) -> str:
        text = f"{col}::VARCHAR"
        return f"(CAST(substr({text}, 1, 2) AS INT) * 60 + CAST(substr({text}, 4, 2) AS INT))"

    start = cal.work_start.hour * 60 + cal.work_start.minute
    end = cal.work_end.hour * 60 + cal.work_end.minute
    fri = cal.friday_work_end.hour * 60 + cal.friday_work_end.minute
    excused = ",".join(f"'{s.value}'" for s in ap.excused_statuses)
    miss_in = next(t.deduction for t in ap.late_tiers if t.code == ap.missing_checkin_tier)
    miss_out = next(t.deduction for t in ap.early_tiers if t.code == ap.missing_checkout_tier)
    closed = ",".join(str((d + 1) % 7) for d in act.closed_weekdays)  # DuckDB dow: Sunday = 0
    ws = act.entry_window_start.hour * 3600 + act.entry_window_start.minute * 60
    we = act.entry_window_end.hour * 3600 + act.entry_window_end.minute * 60
    lock = f"AND CAST(entered_at AS DATE) <= DATE '{last}'" if act.lock_at_month_end else ""
    weights = " UNION ALL ".join(
        f"SELECT '{r.value}' AS role, {w} AS w" for r, w in bp.role_weights.items()
    )
    items = ",".join(f"'{i}'" for i in bp.items)
    sql = f"""
    WITH a AS (
      SELECT nip::VARCHAR AS nip, status::VARCHAR AS status,
             {minutes("check_in")} - {start} AS late,
             CASE WHEN dayofweek(work_date) = 5 THEN {fri} ELSE {end} END
               - {minutes("check_out")} AS early
      FROM attendance WHERE CAST(work_date AS DATE) IN ({days})
    ), ag AS (
      SELECT nip, count(*) AS days_observed,
        sum(CASE WHEN status IN ({excused}) THEN 1 ELSE 0 END) AS days_excused,
        sum(CASE WHEN status = 'present' AND late > {ap.grace_minutes} THEN 1 ELSE 0 END)
          AS late_count,
        sum(CASE WHEN status = 'present' THEN
              (CASE WHEN late IS NULL THEN {miss_in} WHEN late > {ap.grace_minutes}
                    THEN {tier_sql("late", ap.late_tiers)} ELSE 0 END)
            + (CASE WHEN early IS NULL THEN {miss_out} ELSE {tier_sql("early", ap.early_tiers)} END)
            WHEN status IN ({excused}) THEN 0 ELSE {ap.unexcused_absence_deduction} END)
          AS deduction
      FROM a GROUP BY nip
    ), t AS (
      SELECT nip::VARCHAR AS nip,
        sum(CASE WHEN kind = 'main' THEN minutes ELSE 0 END) AS main,
        sum(CASE WHEN kind = 'additional' THEN minutes ELSE 0 END) AS additional
      FROM activities
      WHERE approval = 'approved' AND completed
        AND (hour(entered_at) * 3600 + minute(entered_at) * 60 + second(entered_at))
            BETWEEN {ws} AND {we}
        AND dayofweek(entered_at) NOT IN ({closed})
        AND date_diff('day', CAST(work_date AS DATE), CAST(entered_at AS DATE))
            BETWEEN 0 AND {act.max_days_late}
        AND CAST(work_date AS DATE) BETWEEN DATE '{first}' AND DATE '{last}' {lock}
      GROUP BY ALL
    ), b AS (
      SELECT nip::VARCHAR AS nip, rater_nip::VARCHAR AS rater, rater_role::VARCHAR AS role, score
      FROM behaviour
      WHERE rater_nip::VARCHAR <> nip::VARCHAR AND rater_role <> 'self' AND item IN ({items})
    ), r AS (
      SELECT nip, role, avg(score) AS m FROM b GROUP BY ALL
    ), bw AS (
      SELECT nip, sum(m * w) / sum(w) AS mean FROM r JOIN ({weights}) USING (role) GROUP BY nip
    ), br AS (
      SELECT nip, count(DISTINCT rater) AS raters FROM b GROUP BY nip
    )
    SELECT e.nip, greatest(0, least(100, 100 - ag.deduction)) AS attendance, ag.days_observed,
      ag.days_excused, ag.late_count, t.main, t.additional,
      (bw.mean - {bp.scale_min}) / ({bp.scale_max} - {bp.scale_min}) * 100 AS behaviour,
      br.raters
    FROM (SELECT nip::VARCHAR AS nip FROM employees) e
      LEFT JOIN ag USING (nip) LEFT JOIN t USING (nip) LEFT JOIN bw USING (nip)
      LEFT JOIN br USING (nip)
    """
    return con.execute(sql).fetchnumpy()


def agreement(data: MonthData, policy: Policy, polars_out: Any, duck_out: Any) -> dict[str, float]:
    """Largest difference between pandas and each other engine on the shared figures."""
    att, act, beh = pandas_core(data, policy)
    nips = build_roster(data.period, data.employees, policy.calendar).index
    mine = {
        "attendance": att["attendance"].to_numpy(),
        "days_observed": att["days_observed"].to_numpy(),
        "late_count": att["late_count"].to_numpy(),
        "main": act["main_minutes"].to_numpy(),
        "additional": act["additional_minutes"].to_numpy(),
        "behaviour": beh["behaviour"].to_numpy(),
        "raters": beh["raters"].to_numpy(),
    }
    worst_by_engine: dict[str, float] = {}
    for engine, table in (("polars", polars_out.to_dict(as_series=False)), ("duckdb", duck_out)):
        theirs = pd.DataFrame({k: np.asarray(v) for k, v in table.items()})
        theirs = theirs.set_index(theirs["nip"].astype(str)).reindex(nips)
        worst = 0.0
        for column, values in mine.items():
            other = pd.to_numeric(theirs[column], errors="coerce").fillna(0).to_numpy(float)
            worst = max(worst, float(np.nanmax(np.abs(np.nan_to_num(values) - other))))
        worst_by_engine[engine] = worst
    return worst_by_engine


def _to_polars(df: pd.DataFrame) -> Any:
    """pandas -> polars without pyarrow: categoricals become polars Categorical columns."""
    import polars as pl

    columns = {}
    for name, col in df.items():
        if isinstance(col.dtype, pd.CategoricalDtype):
            cats = np.asarray(col.cat.categories, dtype=object)
            codes = col.cat.codes.to_numpy()
            values = cats[np.maximum(codes, 0)]
            values[codes < 0] = None
            columns[str(name)] = pl.Series(str(name), values.tolist(), dtype=pl.String).cast(
                pl.Categorical
            )
        else:
            columns[str(name)] = pl.Series(str(name), col.to_numpy())
    return pl.DataFrame(columns)


def run(
    employees: int, policy_name: str = "jabar", seed: int = 1, repeat: int = 3
) -> tuple[list[Result], dict[str, float]]:
    """Generate the month, then time each engine on it; returns the figures."""
    import duckdb

    policy = load_policy(policy_name)
    data = generate_month(employees, policy, seed=seed)
    rows = len(data.attendance) + len(data.activities) + len(data.behaviour)
    frames = {
        "employees": _to_polars(data.employees[["nip"]]),
        "attendance": _to_polars(data.attendance),
        "activities": _to_polars(data.activities),
        "behaviour": _to_polars(data.behaviour),
    }
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    for name in ("employees", "attendance", "activities", "behaviour"):
        con.register(name, getattr(data, name))
    results = [
        measure("pandas score_month (all)", rows, lambda: score_month(data, policy), repeat),
        measure("pandas core", rows, lambda: pandas_core(data, policy), repeat),
        measure("polars core", rows, lambda: polars_core(frames, data, policy), repeat),
        measure("duckdb core", rows, lambda: duckdb_core(con, data, policy), repeat),
    ]
    worst = agreement(
        data, policy, polars_core(frames, data, policy), duckdb_core(con, data, policy)
    )
    con.close()
    return results, worst


def report(employees: int, results: list[Result], worst: dict[str, float] | None = None) -> str:
    """The figures as a small table, with pandas' ratio to the fastest other engine and how
    far the engines' results differ."""
    lines = [
        f"employees: {employees:,}  rows: {results[0].rows:,} "
        f"(attendance + activities + questionnaire answers)  date: {date.today()}",
        f"{'engine':<26}{'seconds':>9}{'cpu s':>8}{'rows/s':>14}{'peak MB':>10}",
    ]
    for r in results:
        lines.append(
            f"{r.engine:<26}{r.seconds:>9.3f}{r.cpu_seconds:>8.3f}"
            f"{r.rows_per_second:>14,.0f}{r.peak_mb:>10.0f}"
        )
    others = [r for r in results if not r.engine.startswith("pandas")]
    core = next(r for r in results if r.engine == "pandas core")
    full = results[0]
    if others:
        fastest = min(others, key=lambda r: r.seconds)
        lines.append(
            f"pandas core / {fastest.engine}: {core.seconds / fastest.seconds:.2f}x; "
            f"whole score_month / {fastest.engine}: {full.seconds / fastest.seconds:.2f}x"
        )
    if worst is not None:
        lines.append(
            "same results: pandas vs "
            + ", ".join(f"{k} max |diff| {v:.2g}" for k, v in worst.items())
        )
    target = "met" if full.seconds < 1.0 and full.peak_mb < 1024 else "NOT met"
    lines.append(f"target (50,000 employees < 1 s, < 1 GB) for this N: {target}")
    lines.append(
        "seconds = best wall time of the repeats; cpu s > seconds means several threads, "
        "cpu s < seconds means the machine was busy with other work"
    )
    return "\n".join(lines)
