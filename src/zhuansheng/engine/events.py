"""The events table behind 亩均 adjustments and exemptions (加分、扣分、一票否决、免评).

One row per event: ``uscc``, ``year``, ``event`` (an adjustment or exemption id of the method
file), optionally ``count`` (occurrences, e.g. extra tenants; default 1) and ``note``. Events are
few (hundreds per county), so they are folded per enterprise here, in Arrow, and joined to the
facts as a small table — the same on every backend and independent of row order.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from zhuansheng.errors import ZhuanshengError

from .schema import MujunMethod

REQUIRED = ("uscc", "year", "event")
ADJUSTMENT_SCHEMA = pa.schema(
    [
        ("uscc", pa.string()),
        ("bonus_raw", pa.float64()),
        ("deduction_raw", pa.float64()),
        ("vetoed", pa.bool_()),
        ("exempt_id", pa.string()),
        ("exempt_class", pa.string()),
        ("adjustments", pa.string()),
    ]
)


def read_events(path: Path | str) -> pa.Table:
    """An events file (Parquet or CSV, UTF-8) with at least ``uscc, year, event``."""
    path = Path(path)
    if not path.is_file():
        raise ZhuanshengError(f"事件表不存在：{path} (events file not found)")
    if path.suffix.lower() == ".csv":
        opts = pacsv.ConvertOptions(column_types={"uscc": pa.string(), "event": pa.string()})
        table = pacsv.read_csv(path, convert_options=opts)
    else:
        table = pq.read_table(path)
    missing = [c for c in REQUIRED if c not in table.column_names]
    if missing:
        raise ZhuanshengError(
            f"事件表 {path} 缺少列 {', '.join(missing)}（须有 uscc, year, event；可选 count, note）"
            " (events table lacks required columns)"
        )
    return table


def adjustments_table(events: pa.Table, method: MujunMethod, year: int) -> pa.Table:
    """Per enterprise: summed bonus and deduction points, veto, exemption and the events listed.

    An event id the method does not define is an error: a misspelt veto must not pass unnoticed.
    """
    year_col = pc.cast(events["year"], pa.int64())
    rows = events.filter(pc.equal(year_col, year))
    adjust = {a.id: a for a in method.adjustments}
    exempt = {e.id: e for e in method.exemptions}
    ids = [str(x) for x in rows["event"].to_pylist()]
    unknown = sorted({i for i in ids if i not in adjust and i not in exempt})
    if unknown:
        known = ", ".join([*adjust, *exempt]) or "（无）"
        raise ZhuanshengError(
            f"事件表中的 {', '.join(unknown)} 不是方法 {method.id} 定义的加减分或免评项；"
            f"可用：{known} (unknown event ids)"
        )
    counts = rows["count"].to_pylist() if "count" in rows.column_names else [1.0] * rows.num_rows
    per: dict[str, dict] = defaultdict(
        lambda: {"bonus": 0.0, "deduction": 0.0, "veto": False, "exempt": [], "events": []}
    )
    for uscc, event, count in zip(rows["uscc"].to_pylist(), ids, counts, strict=True):
        n = 1.0 if count is None else float(count)
        entry = per[str(uscc)]
        if event in exempt:
            entry["exempt"].append(event)
            entry["events"].append(event)
            continue
        a = adjust[event]
        if a.kind == "veto":
            entry["veto"] = True
        else:
            entry[a.kind] += (a.points or 0.0) * n
        entry["events"].append(event if n == 1 else f"{event}×{n:g}")
    out = {name: [] for name in ADJUSTMENT_SCHEMA.names}
    for uscc in sorted(per):
        e = per[uscc]
        first_exempt = sorted(e["exempt"])[0] if e["exempt"] else None
        out["uscc"].append(uscc)
        out["bonus_raw"].append(e["bonus"])
        out["deduction_raw"].append(e["deduction"])
        out["vetoed"].append(e["veto"])
        # "" rather than NULL: a small table reaches Spark through pandas, where a missing text
        # would arrive as the string "NaN" (DESIGN.md); the engine turns "" back into NULL.
        out["exempt_id"].append(first_exempt or "")
        out["exempt_class"].append((exempt[first_exempt].class_ if first_exempt else None) or "")
        out["adjustments"].append(",".join(sorted(e["events"])))
    return pa.table(out, schema=ADJUSTMENT_SCHEMA)
