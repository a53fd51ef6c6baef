"""Plain-text tables for the terminal and MyST pipe tables for the generated pages."""

from __future__ import annotations


def format_table(headers: list[str], rows: list[list], align: str | None = None) -> str:
    """A plain-text table with aligned columns; ``align`` is one of 'l'/'r' per column."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    align = align or "l" * len(headers)

    def line(row):
        return "  ".join(
            c.rjust(w) if a == "r" else c.ljust(w)
            for c, w, a in zip(row, widths, align, strict=False)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule] + [line(r) for r in cells[1:]])


def markdown_table(headers: list[str], rows: list[list], align: str | None = None) -> str:
    """A MyST (GitHub-style) pipe table; ``|`` inside cells is escaped."""
    align = align or "l" * len(headers)

    def cell(c) -> str:
        return str(c).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(cell(h) for h in headers) + " |"]
    out.append("|" + "|".join("---:" if a == "r" else ":---" for a in align) + "|")
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def fmt_number(x) -> str:
    """A number for the terminal: 6 significant figures, a dash for none."""
    if x is None:
        return "—"
    if isinstance(x, bool):
        return str(x)
    return f"{x:.6g}"


def fmt_params(params: dict | None) -> str:
    if not params:
        return "defaults"
    return ", ".join(f"{k}={v!r}" for k, v in params.items())
