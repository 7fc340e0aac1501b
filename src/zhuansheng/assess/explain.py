"""What a ranking was computed from, as a workbook an office can check by hand.

Sheets: 说明 (the scheme and the formula), 原始值 (each region's raw value x per indicator),
目标值 (its own target t), 标准化值 (normalised, missing filled), 权重 (weight, method, cap per
indicator), 贡献分 (each indicator's points w × I × 满分, bonus, penalty, score, rank, grade).
For an additive scheme a region's score is Σ 贡献分 + 加分 − 扣分, and each 贡献分 is
权重 × 标准化值 × 满分, so every number on the last sheet follows from the sheets before it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zhuansheng import tabular
from zhuansheng.errors import Invalid

from .service import Assessment

_SHARED = "贡献分按 权重 × 标准化值 的比例分摊"
FORMULA_ZH = {
    "additive": "得分 = Σ 权重 × 标准化值 × 满分 + 加分 − 扣分（贡献分 = 权重 × 标准化值 × 满分）",
    "geometric": f"得分 = Π 标准化值^权重 × 满分 + 加分 − 扣分（{_SHARED}）",
    "topsis": f"得分 = TOPSIS 贴近度 × 满分 + 加分 − 扣分（{_SHARED}）",
}
NORMALISATION_ZH = {
    "completion": "完成率 x ÷ t（下限 0，上限 cap）",
    "distance": "距目标距离 (x − 最小值) ÷ (t − 最小值)（上限 cap）",
    "minmax": "极差标准化 (x − 最小值) ÷ (最大值 − 最小值)",
    "zscore": "Z 分数 (x − 均值) ÷ 标准差",
    "rank_points": "按名次赋分",
}


def _num(value: float) -> float | None:
    return None if value != value else round(float(value), 6)  # NaN → empty cell


def sheets(result: Assessment) -> list[tuple[str, list[str], list[dict[str, Any]]]]:
    """(sheet name, columns, rows) of the explanation of a freshly computed result."""
    ex = result.explanation
    if ex is None:
        raise Invalid("此评价结果不含计算明细（仅新计算的结果可导出 --explain）")
    ids = [i.id for i in result.indicators]
    by_region = {r.region: r for r in result.rows}
    names = {r.region: r.name for r in result.rows}
    order = sorted(range(len(ex.regions)), key=lambda k: by_region[ex.regions[k]].rank)

    def matrix(values: Any) -> list[dict[str, Any]]:
        return [
            {
                "region": ex.regions[k],
                "name": names[ex.regions[k]],
                **{iid: _num(values[k, j]) for j, iid in enumerate(ids)},
            }
            for k in order
        ]

    head = ["region", "name", *ids]
    about = [
        ("评价", result.title_zh),
        ("期间", result.period),
        ("层级", result.level),
        ("评价方案", f"{result.scheme_id} 版本 {result.scheme_version}"),
        ("方案状态", "草案（未审定）" if result.draft else "已审定"),
        ("方案 SHA-256", result.scheme_sha256),
        ("满分", ex.scale),
        ("权重方法", result.weights),
        ("加总方法", result.aggregation),
        ("计算公式", FORMULA_ZH[result.aggregation]),
        ("原始值", "measure: pace 为序时进度（增速、下降、水平类为进度比 R），目标值为 1"),
        ("缺报", "原始值为空的指标按方案的 missing 规则补值（见标准化值）"),
        *(("说明", note) for note in result.notes),
    ]
    weights = [
        {
            "indicator": i.id,
            "name_zh": i.name_zh,
            "target": i.target,
            "measure": i.measure,
            "normalisation": i.normalisation,
            "normalisation_zh": NORMALISATION_ZH.get(i.normalisation, i.normalisation),
            "direction": i.direction,
            "cap": ex.caps[j],
            "weight": round(float(ex.weights[j]), 10),
        }
        for j, i in enumerate(result.indicators)
    ]
    points = [
        {
            **row,
            "bonus": by_region[row["region"]].bonus,
            "penalty": by_region[row["region"]].penalty,
            "score": by_region[row["region"]].score,
            "rank": by_region[row["region"]].rank,
            "grade": by_region[row["region"]].grade,
        }
        for row in matrix(ex.contributions)
    ]
    return [
        ("说明", ["项目", "内容"], [{"项目": k, "内容": v} for k, v in about]),
        ("原始值", head, matrix(ex.x)),
        ("目标值", head, matrix(ex.t)),
        ("标准化值", head, matrix(ex.normalised)),
        ("权重", list(weights[0]), weights),
        ("贡献分", [*head, "bonus", "penalty", "score", "rank", "grade"], points),
    ]


def write(result: Assessment, path: Path) -> Path:
    """The explanation workbook at ``path`` (whole file or nothing)."""
    if Path(path).suffix.lower() != ".xlsx":
        raise Invalid(f"--explain 导出为 Excel 工作簿，输出文件应以 .xlsx 结尾，而不是 {path}")
    tabular.write_workbook(sheets(result), Path(path))
    return Path(path)
