"""Benchmark of the warehouse at scale against a pandas notebook and a hand-written DuckDB script.

`python -m crm_kpi.benchmark --sizes 0.1M,1M,10M` (see crm_kpi.benchmark.run and
docs/performance.md).
"""
