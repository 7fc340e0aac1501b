"""Benchmark: the full evaluation pipeline on DuckDB against one hand-written DuckDB SQL query.

    .venv/bin/python benchmarks/evaluate_pipeline.py --enterprises 1000000

Generates N synthetic enterprise-years (2022) as Parquet, then, in the same process and run:

* pipeline — read Parquet → carbon + 碳效码 + 亩均 + screening (the engine's Ibis expressions with
  the default method files) → write Parquet;
* hand SQL — the same results from a single DuckDB query written by hand (parameters taken from
  the same method files), read Parquet → COPY to Parquet.

It checks that the two agree (grades, classes, ranks, candidates and rules identical; numbers to
1e-9 relative), and prints both times (median of --repeat), the ratio and the peak memory (RSS) of
the process. Goals: pipeline within 1.25× of the SQL, peak < 1 GB, 10^5 enterprises < 0.5 s.
"""
