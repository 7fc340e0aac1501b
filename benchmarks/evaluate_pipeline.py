"""Benchmark: the full evaluation pipeline on DuckDB against one hand-written DuckDB SQL query.

    .venv/bin/python benchmarks/evaluate_pipeline.py --enterprises 1000000

Generates N synthetic enterprise-years (2022) as Parquet, then, in the same process and run:

* pipeline — read Parquet → carbon + 碳效码 + 亩均 + screening (the engine's Ibis expressions with
  the default method files) → write Parquet. The input is laid out and stamped like a lake
  file (``--unstamped``: like a file from elsewhere, whose numbers the engine checks for NaN).
  The first run compiles the expressions to SQL and keeps the plan (``zhuansheng.engine.plans``);
  the timed runs reuse it, as every run after the first does. The first run's time is printed
  too;
* hand SQL — the same results from a single DuckDB query written by hand (parameters taken from
  the same method files), read Parquet → COPY to Parquet.

It checks that the two agree (grades, classes, ranks, candidates and rules identical; numbers to
1e-9 relative), and prints both times (median of --repeat), the ratio and the peak memory (RSS) of
the process. Goals: pipeline within 1.25× of the SQL, peak < 1 GB, 10^5 enterprises < 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import ibis
import ibis.backends.duckdb  # imported up front, as the SQL side imports duckdb
import numpy as np
import pyarrow.parquet as pq

from zhuansheng.engine import screen_results, years
from zhuansheng.engine.inputs import read_facts
from zhuansheng.engine.run import compute_to_parquet, load_methods, plan_parts
from zhuansheng.engine.schema import ENERGY_COLUMNS
from zhuansheng.engine.synthetic import synthetic_facts
from zhuansheng.lake import ROW_GROUP_ROWS, connect

YEAR = 2022
ITEMS = (
    "tax_per_mu",
    "va_per_mu",
    "va_per_tce",
    "va_per_pollutant",
    "labour_productivity",
    "rd_intensity",
    "tax_per_kwh",
)
# What both sides write: identity, the carbon results, each item's points, the 亩均 result and
# the screening result (the explanatory columns of a CLI run are left out on both sides).
COLUMNS = (
    "uscc",
    "county_code",
    "industry_code",
    "scale",
    "tce",
    "co2_t",
    "energy_intensity",
    "carbon_intensity",
    "industry_carbon_intensity",
    "carbon_ratio",
    "carbon_grade",
    "carbon_level",
    "carbon_reason",
    "mujun_tce",
    *(f"{i}_points" for i in ITEMS),
    "mujun_score",
    "mujun_rank",
    "mujun_group_size",
    "mujun_class",
    "mujun_reason",
    "tax_per_mu",
    "candidate",
    "screen_rules",
    "freed_land_mu",
    "freed_energy_tce",
)
EXACT = (
    "carbon_grade",
    "carbon_level",
    "carbon_reason",
    "mujun_rank",
    "mujun_group_size",
    "mujun_class",
    "mujun_reason",
    "candidate",
    "screen_rules",
)


def run_pipeline(source: Path, target: Path) -> float:
    """The engine as ``zhuansheng evaluate screen --input`` runs it: read Parquet → carbon +
    碳效码 + 亩均 + screening → write Parquet, with the compiled plan kept under ZHUANSHENG_VAR."""
    started = time.perf_counter()
    methods, _ = load_methods("screen")
    con = connect()
    facts = read_facts(con, YEAR, input=source)
    parts = plan_parts(methods, YEAR, convention=None, inputs=facts.shape, previous=False)
    parts["columns"] = list(COLUMNS)

    def build() -> ibis.Table:
        return screen_results(facts.table, methods, YEAR).select(*COLUMNS)

    compute_to_parquet(con, build, target, parts)
    con.disconnect()
    return time.perf_counter() - started


def hand_sql(source: Path, target: Path) -> str:
    """One DuckDB query written by hand; the numbers come from the same method files."""
    m, _ = load_methods("screen")
    c, mj, en = m.carbon, m.mujun, m.energy
    assert c and mj and en
    divs = ", ".join(f"'{d}'" for d in range(13, 44))
    kwh_c = c.electricity.calorific_kgce_per_kwh / 1000
    kwh_e = en.electricity.equivalent_kgce_per_kwh[YEAR] / 1000
    f = c.fuels
    fuels_tce = " + ".join(f"coalesce({k}, 0) * {v.tce_per_unit}" for k, v in f.items())
    fuels_co2 = " + ".join(f"coalesce({k}, 0) * {v.tco2_per_unit}" for k, v in f.items())
    grid = {(g.year, g.region): g.tco2_per_mwh for g in c.grid.factors}
    east, national = grid[(YEAR, "east_china")], grid[(YEAR, "national")]
    be = mj.sets["below"]
    bench = {
        (s, i.id): years.fixed_benchmark(mj, s, i.id, i.benchmark, YEAR)[0]  # type: ignore[arg-type]
        for s, st in mj.sets.items()
        for i in st.items
    }
    weight = {(s, i.id): i.weight for s, st in mj.sets.items() for i in st.items}
    pts = {k: f"{weight[k]} * ({k[1]}_v / {bench[k]})" for k in weight}
    band = {s: [b.to_pct for b in st.classes.bands] for s, st in mj.sets.items()}
    hi = "'25', '26', '30', '31', '32'"
    energy_neg = ENERGY_COLUMNS
    carbon_neg = " ".join(
        f"WHEN {x} < 0 THEN 'negative:{x}'" for x in (*energy_neg, "zero_carbon_kwh")
    )
    mujun_neg_cols = (
        "land_mu",
        "value_added_wan",
        "tax_wan",
        *energy_neg,
        "pollutant_t",
        "employees",
        "rd_wan",
        "revenue_wan",
        "zero_carbon_kwh",
    )
    mujun_neg = " ".join(f"WHEN {x} < 0 THEN 'negative:{x}'" for x in mujun_neg_cols)
    return f"""
COPY (
WITH base AS (
  SELECT *,
    substr(industry_code, 1, 2) AS division,
    coalesce(length(industry_code) = 4 AND regexp_matches(industry_code, '^[0-9]{{4}}$')
             AND substr(industry_code, 1, 2) IN ({divs}), false) AS known,
    CASE WHEN land_mu > 0 THEN tax_wan / land_mu END AS tax_per_mu,
    CASE WHEN land_mu > 0 THEN value_added_wan / land_mu END AS va_per_mu_any,
    CASE {carbon_neg} END AS c_neg,
    CASE {mujun_neg} END AS m_neg,
    coalesce(coalesce(zero_carbon_kwh, 0) > electricity_kwh, false) AS over_pv
  FROM read_parquet('{source}') WHERE year = {YEAR}
), energy AS (
  SELECT *,
    CASE WHEN c_neg IS NULL AND electricity_kwh IS NOT NULL AND NOT over_pv
         THEN electricity_kwh * {kwh_c} + {fuels_tce} END AS tce,
    CASE WHEN c_neg IS NULL AND electricity_kwh IS NOT NULL AND NOT over_pv
         THEN (electricity_kwh - coalesce(zero_carbon_kwh, 0))
              * (CASE WHEN substr(county_code, 1, 2) = '33' THEN {east} ELSE {national} END)
              / 1000 + {fuels_co2} END AS co2_t,
    CASE WHEN c_neg IS NULL AND electricity_kwh IS NOT NULL
         THEN electricity_kwh * {kwh_e} + {fuels_tce} END AS mujun_tce,
    CASE WHEN NOT known THEN 'unknown_industry'
         WHEN NOT coalesce(scale = 'above', false) THEN 'out_of_scope'
         WHEN c_neg IS NOT NULL THEN c_neg
         WHEN electricity_kwh IS NULL THEN 'missing:electricity_kwh'
         WHEN over_pv THEN 'zero_carbon_exceeds_electricity'
         WHEN NOT coalesce(value_added_wan > 0, false) THEN 'missing:value_added_wan'
    END AS c_pre
  FROM base
), carbon AS (
  SELECT *,
    CASE WHEN value_added_wan > 0 THEN tce / value_added_wan END AS energy_intensity,
    CASE WHEN value_added_wan > 0 THEN co2_t / value_added_wan END AS carbon_intensity,
    sum(CASE WHEN c_pre IS NULL THEN co2_t END) OVER (PARTITION BY division) AS s_co2,
    sum(CASE WHEN c_pre IS NULL THEN value_added_wan END) OVER (PARTITION BY division) AS s_va
  FROM energy
), carbon2 AS (
  SELECT *,
    CASE WHEN c_pre IS NULL AND NOT coalesce(s_co2 / nullif(s_va, 0) > 0, false)
         THEN 'industry_average_unavailable' ELSE c_pre END AS carbon_reason,
    CASE WHEN s_va > 0 THEN s_co2 / s_va END AS l_ind
  FROM carbon
), items AS (
  SELECT *,
    CASE WHEN carbon_reason IS NULL THEN l_ind END AS industry_carbon_intensity,
    CASE WHEN carbon_reason IS NULL THEN round(carbon_intensity / l_ind, {c.decimals}) END
      AS carbon_ratio,
    CASE WHEN land_mu > 0 THEN tax_wan / land_mu END AS tax_per_mu_v,
    CASE WHEN scale = 'above' AND land_mu > 0 THEN value_added_wan / land_mu END AS va_per_mu_v,
    CASE WHEN scale = 'above' AND mujun_tce > 0 THEN value_added_wan / mujun_tce END
      AS va_per_tce_v,
    CASE WHEN scale = 'above' AND pollutant_t > 0 THEN value_added_wan / pollutant_t END
      AS va_per_pollutant_v,
    CASE WHEN scale = 'above' AND employees > 0 THEN value_added_wan / employees END
      AS labour_productivity_v,
    CASE WHEN scale = 'above' AND revenue_wan > 0 THEN rd_wan / revenue_wan END
      AS rd_intensity_v,
    CASE WHEN scale = 'below' AND electricity_kwh > 0
         THEN tax_wan / electricity_kwh * {be.items[1].multiplier} END AS tax_per_kwh_v
  FROM carbon2
), reasons AS (
  SELECT *,
    CASE WHEN NOT known THEN 'unknown_industry'
         WHEN NOT coalesce(scale IN ('above', 'below'), false) THEN 'out_of_scope'
         WHEN NOT coalesce(land_mu > 0, false) THEN 'missing:land_mu'
         WHEN scale = 'below' AND land_mu < {mj.scope.below_min_land_mu} THEN 'out_of_scope'
         WHEN m_neg IS NOT NULL THEN m_neg
         WHEN scale = 'above' AND NOT coalesce(value_added_wan > 0, false)
           THEN 'missing:value_added_wan'
         WHEN scale = 'above' AND tax_per_mu_v IS NULL THEN 'missing_item:tax_per_mu'
         WHEN scale = 'above' AND va_per_mu_v IS NULL THEN 'missing_item:va_per_mu'
         WHEN scale = 'above' AND va_per_tce_v IS NULL THEN 'missing_item:va_per_tce'
         WHEN scale = 'above' AND labour_productivity_v IS NULL
           THEN 'missing_item:labour_productivity'
         WHEN scale = 'above' AND rd_intensity_v IS NULL THEN 'missing_item:rd_intensity'
         WHEN scale = 'below' AND tax_per_mu_v IS NULL THEN 'missing_item:tax_per_mu'
         WHEN scale = 'below' AND tax_per_kwh_v IS NULL THEN 'missing_item:tax_per_kwh'
    END AS mujun_reason
  FROM items
), points AS (
  SELECT *,
    CASE WHEN scale = 'above' THEN {pts[("above", "tax_per_mu")]}
         ELSE {pts[("below", "tax_per_mu")]} END AS p_tax_per_mu,
    {pts[("above", "va_per_mu")]} AS p_va_per_mu,
    {pts[("above", "va_per_tce")]} AS p_va_per_tce,
    {pts[("above", "va_per_pollutant")]} AS p_va_per_pollutant_raw,
    {pts[("above", "labour_productivity")]} AS p_labour_productivity,
    {pts[("above", "rd_intensity")]} AS p_rd_intensity,
    {pts[("below", "tax_per_kwh")]} AS p_tax_per_kwh
  FROM reasons
), imputed AS (
  SELECT *,
    coalesce(p_va_per_pollutant_raw,
             avg(CASE WHEN mujun_reason IS NULL AND scale = 'above'
                      THEN p_va_per_pollutant_raw END)
               OVER (PARTITION BY scale, county_code), 0) AS p_va_per_pollutant
  FROM points
), scored AS (
  SELECT *,
    CASE WHEN mujun_reason IS NULL THEN round(CASE WHEN scale = 'above' THEN
      coalesce(p_tax_per_mu, 0) + coalesce(p_va_per_mu, 0) + coalesce(p_va_per_tce, 0)
      + p_va_per_pollutant + coalesce(p_labour_productivity, 0) + coalesce(p_rd_intensity, 0)
      ELSE coalesce(p_tax_per_mu, 0) + coalesce(p_tax_per_kwh, 0) END, {mj.score_decimals})
    END AS mujun_score
  FROM imputed
), ranked AS (
  SELECT *,
    CASE WHEN mujun_reason IS NULL THEN rank() OVER (
      PARTITION BY scale, county_code, mujun_reason IS NULL
      ORDER BY mujun_score DESC, coalesce(tax_per_mu_v, -1) DESC) END AS mujun_rank,
    CASE WHEN mujun_reason IS NULL THEN count(*) OVER (
      PARTITION BY scale, county_code, mujun_reason IS NULL) END AS mujun_group_size
  FROM scored
), classed AS (
  SELECT *,
    CASE WHEN mujun_reason IS NOT NULL THEN NULL
         WHEN scale = 'above' THEN CASE
           WHEN (mujun_rank - 1) * 100 < mujun_group_size * {band["above"][0]} THEN 'A'
           WHEN (mujun_rank - 1) * 100 < mujun_group_size * {band["above"][1]} THEN 'B'
           WHEN (mujun_rank - 1) * 100 < mujun_group_size * {band["above"][2]} THEN 'C'
           ELSE 'D' END
         ELSE CASE
           WHEN (mujun_rank - 1) * 100 < mujun_group_size * {band["below"][0]} THEN 'A'
           WHEN (mujun_rank - 1) * 100 < mujun_group_size * {band["below"][1]} THEN 'B'
           WHEN (mujun_rank - 1) * 100 < mujun_group_size * {band["below"][2]} THEN 'C'
           ELSE 'D' END
    END AS mujun_class,
    coalesce(scale IN ('above', 'below') AND land_mu > 0
             AND NOT (scale = 'below' AND land_mu < 3), false) AS in_scope
  FROM ranked
), rules AS (
  SELECT *,
    coalesce(tce >= 1000, false) OR coalesce(electricity_kwh >= 3000000, false) AS energy_size
  FROM classed
), screened AS (
  SELECT *, nullif(concat_ws(',',
    CASE WHEN in_scope AND coalesce(mujun_class = 'D', false) THEN 'mujun_d' END,
    CASE WHEN in_scope AND scale = 'above' AND coalesce(tax_per_mu < 6, false)
         THEN 'low_tax_above' END,
    CASE WHEN in_scope AND scale = 'below' AND coalesce(tax_per_mu < 3, false)
         THEN 'low_tax_below' END,
    CASE WHEN in_scope AND scale = 'below' AND coalesce(land_mu >= 10, false)
         THEN 'large_land_below' END,
    CASE WHEN in_scope AND energy_size AND coalesce(division IN ({hi}), false)
         THEN 'energy_intensive_large' END,
    CASE WHEN in_scope AND energy_size AND coalesce(division NOT IN ({hi}), false)
              AND coalesce(energy_intensity > 0.6, false) THEN 'other_high_intensity' END
  ), '') AS screen_rules
  FROM rules
)
SELECT uscc, county_code, industry_code, scale, tce, co2_t, energy_intensity, carbon_intensity,
  industry_carbon_intensity, carbon_ratio,
  CAST(CASE WHEN carbon_ratio IS NULL THEN NULL WHEN carbon_ratio <= 0.6 THEN 1
       WHEN carbon_ratio <= 0.8 THEN 2 WHEN carbon_ratio <= 1.2 THEN 3
       WHEN carbon_ratio <= 2.0 THEN 4 ELSE 5 END AS TINYINT) AS carbon_grade,
  CASE WHEN carbon_intensity IS NULL THEN NULL
       WHEN round(carbon_intensity, {c.decimals}) <= 0.6 THEN 'low'
       WHEN round(carbon_intensity, {c.decimals}) <= 2.0 THEN 'medium' ELSE 'high' END
    AS carbon_level,
  carbon_reason, mujun_tce,
  CASE WHEN mujun_reason IS NULL THEN coalesce(p_tax_per_mu, 0) END AS tax_per_mu_points,
  CASE WHEN mujun_reason IS NULL AND scale = 'above' THEN coalesce(p_va_per_mu, 0) END
    AS va_per_mu_points,
  CASE WHEN mujun_reason IS NULL AND scale = 'above' THEN coalesce(p_va_per_tce, 0) END
    AS va_per_tce_points,
  CASE WHEN mujun_reason IS NULL AND scale = 'above' THEN p_va_per_pollutant END
    AS va_per_pollutant_points,
  CASE WHEN mujun_reason IS NULL AND scale = 'above' THEN coalesce(p_labour_productivity, 0)
    END AS labour_productivity_points,
  CASE WHEN mujun_reason IS NULL AND scale = 'above' THEN coalesce(p_rd_intensity, 0) END
    AS rd_intensity_points,
  CASE WHEN mujun_reason IS NULL AND scale = 'below' THEN coalesce(p_tax_per_kwh, 0) END
    AS tax_per_kwh_points,
  mujun_score, mujun_rank, mujun_group_size, mujun_class, mujun_reason, tax_per_mu,
  screen_rules IS NOT NULL AS candidate, screen_rules,
  CASE WHEN screen_rules IS NOT NULL THEN coalesce(land_mu, 0) ELSE 0 END AS freed_land_mu,
  CASE WHEN screen_rules IS NOT NULL THEN coalesce(tce, 0) ELSE 0 END AS freed_energy_tce
FROM screened
) TO '{target}' (FORMAT parquet, COMPRESSION zstd)
"""


def run_sql(source: Path, target: Path) -> float:
    started = time.perf_counter()
    con = duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    con.execute(hand_sql(source, target))
    con.close()
    return time.perf_counter() - started


def compare(a: Path, b: Path) -> list[str]:
    """Differences between the two result files (empty when they agree)."""
    x = pq.read_table(a).sort_by("uscc")
    y = pq.read_table(b).sort_by("uscc")
    problems = []
    if x.num_rows != y.num_rows:
        return [f"rows: {x.num_rows} vs {y.num_rows}"]
    for col in COLUMNS:
        u, v = x[col].to_numpy(zero_copy_only=False), y[col].to_numpy(zero_copy_only=False)
        if col in EXACT or u.dtype.kind in "OUSb":
            same = np.array(
                [p == q for p, q in zip(x[col].to_pylist(), y[col].to_pylist(), strict=True)]
            )
            if col in EXACT and not same.all():
                problems.append(f"{col}: {int((~same).sum())} rows differ")
            continue
        uf, vf = u.astype(float), v.astype(float)
        both_nan = np.isnan(uf) & np.isnan(vf)
        close = np.isclose(uf, vf, rtol=1e-9, atol=1e-12) | both_nan
        if not close.all():
            problems.append(f"{col}: {int((~close).sum())} rows differ beyond 1e-9")
    return problems


def _child(side: str, source: Path, target: Path) -> tuple[float, float, float]:
    """Run one side in a fresh Python process: (wall time with start-up, time inside, peak MiB)."""
    started = time.perf_counter()
    env = {**os.environ, "ZHUANSHENG_VAR": str(source.parent / "var")}
    env.pop("ZHUANSHENG_PLAN_CACHE", None)
    proc = subprocess.Popen(
        [sys.executable, __file__, "--run", side, str(source), str(target)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    out = proc.stdout.read() if proc.stdout else ""
    if status != 0:
        raise SystemExit(f"{side} failed")
    return wall, float(out.strip().splitlines()[-1]), usage.ru_maxrss / 1024  # Linux: KiB


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--enterprises", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--workdir", type=Path, default=None)
    p.add_argument(
        "--unstamped",
        action="store_true",
        help="drop the lake's contract stamp from the input, as a file from elsewhere has it:\n"
        "the engine then checks every number for NaN",
    )
    p.add_argument("--run", nargs=3, metavar=("SIDE", "SOURCE", "TARGET"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.run:  # a child process: one side, print its time
        side, source, target = args.run
        run = run_pipeline if side == "pipeline" else run_sql
        print(run(Path(source), Path(target)))
        return 0
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        root = Path(tmp)
        source = root / "facts.parquet"
        t0 = time.perf_counter()
        synthetic_facts(args.enterprises, source)
        if args.unstamped:
            table = pq.read_table(source)
            pq.write_table(
                table.replace_schema_metadata(None),
                source,
                compression="zstd",
                row_group_size=ROW_GROUP_ROWS,
            )
        size = source.stat().st_size / 2**20
        print(
            f"generated {args.enterprises:,} enterprises in {time.perf_counter() - t0:.1f} s "
            f"({size:.0f} MiB Parquet{', without the contract stamp' if args.unstamped else ''}); "
            "each side runs in its own process"
        )
        # the first run compiles the plan (a new method file or a new version does the same)
        first = _child("pipeline", source, root / "pipeline.parquet")
        runs: dict[str, list[tuple[float, float, float]]] = {"pipeline": [], "sql": []}
        for i in range(args.repeat):
            # alternate the order so that neither side always runs on a warm file cache
            for side in ("pipeline", "sql") if i % 2 == 0 else ("sql", "pipeline"):
                runs[side].append(_child(side, source, root / f"{side}.parquet"))
        problems = compare(root / "pipeline.parquet", root / "sql.parquet")
        med = {k: [statistics.median(r[j] for r in v) for j in range(3)] for k, v in runs.items()}
        for side, label in (("pipeline", "pipeline (Ibis → DuckDB)"), ("sql", "hand-written SQL")):
            wall, inside, rss = med[side]
            each = [round(r[1], 3) for r in runs[side]]
            print(
                f"{label:<25} {inside:7.3f} s  (with Python start-up {wall:.2f} s)  "
                f"peak {rss:.0f} MiB  runs {each}"
            )
        ratio = med["pipeline"][1] / med["sql"][1]
        print(
            f"ratio pipeline / SQL      {ratio:.2f}×  (goal ≤ 1.25×; with start-up "
            f"{med['pipeline'][0] / med['sql'][0]:.2f}×)"
        )
        print(
            f"first pipeline run, compiling its plan: {first[1]:.3f} s "
            f"({first[1] / med['sql'][1]:.2f}× the SQL; peak {first[2]:.0f} MiB)"
        )
        if problems:
            print("DISAGREE:\n  " + "\n  ".join(problems))
            return 1
        print(
            f"results agree on {len(COLUMNS)} columns (grades, classes, ranks, rules exactly; "
            "numbers to 1e-9)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
