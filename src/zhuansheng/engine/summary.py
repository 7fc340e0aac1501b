"""What a run found, per city: counts by class or grade, candidates, reasons (small queries on
the written results, so the summary never recomputes the evaluation)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zhuansheng import reference

if TYPE_CHECKING:
    import ibis.expr.types as ir

LABEL = {"carbon": "carbon_grade", "mujun": "mujun_class", "screen": "candidate"}
REASON = {"carbon": "carbon_reason", "mujun": "mujun_reason", "screen": "screen_reason"}
NONE = "none"  # no grade / no class (see the reasons)


def _name(code: str) -> str:
    try:
        return reference.region(code).name_zh
    except Exception:  # a code outside the reference (only via --input)
        return code


def summarise(results: ir.Table, kind: str) -> dict[str, Any]:
    label = LABEL[kind]
    counts = (
        results.group_by([results.city_code, results[label].cast("string").name("label")])
        .aggregate(n=results.uscc.count())
        .to_pyarrow()
        .to_pylist()
    )
    by_city: dict[str, dict[str, int]] = {}
    for row in counts:
        key = row["label"] if row["label"] is not None else NONE
        by_city.setdefault(row["city_code"], {})[key] = int(row["n"])
    province: dict[str, int] = {}
    for per in by_city.values():
        for k, v in per.items():
            province[k] = province.get(k, 0) + v
    reason_col = REASON[kind]
    reasons = (
        results.filter(results[reason_col].notnull())
        .group_by(reason_col)
        .aggregate(n=results.uscc.count())
        .to_pyarrow()
        .to_pylist()
    )
    out: dict[str, Any] = {
        "label": label,
        "enterprises": sum(province.values()),
        "province": dict(sorted(province.items())),
        "cities": {c: dict(sorted(v.items())) for c, v in sorted(by_city.items())},
        "city_names": {c: _name(c) for c in by_city},
        "reasons": {r[reason_col]: int(r["n"]) for r in sorted(reasons, key=lambda r: -r["n"])},
    }
    if kind == "screen":
        cand = results.filter(results.candidate)
        freed = (
            cand.group_by("city_code")
            .aggregate(
                candidates=cand.uscc.count(),
                freed_land_mu=cand.freed_land_mu.sum(),
                freed_energy_tce=cand.freed_energy_tce.sum(),
            )
            .to_pyarrow()
            .to_pylist()
        )
        out["freed"] = {
            r["city_code"]: {k: r[k] for k in ("candidates", "freed_land_mu", "freed_energy_tce")}
            for r in freed
        }
        out["candidates"] = sum(r["candidates"] for r in freed)
        out["freed_land_mu"] = sum(r["freed_land_mu"] or 0.0 for r in freed)
        out["freed_energy_tce"] = sum(r["freed_energy_tce"] or 0.0 for r in freed)
    return out
