"""The shipped report written as each kind of file `tracker import` reads."""

from __future__ import annotations

import html
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "seed_data" / "baohe-2021-report.txt"
SEED = ROOT / "seed_data" / "baohe-2021.yaml"
TITLE = "资阳市雁江区保和镇人民政府2021年法治政府建设年度报告"


def report_text() -> str:
    return REPORT.read_text(encoding="utf-8")


def body_lines() -> list[str]:
    """The report's own lines, from its title to its last paragraph (no portal furniture)."""
    text = report_text()
    start = text.index(TITLE)
    end = text.index("促进我镇法治政府建设再上新台阶。") + len("促进我镇法治政府建设再上新台阶。")
    lines = [line for line in text[start:end].split("\n") if line.strip()]
    # Without the byline and the buttons under the title: each file adds its own.
    return [line for line in lines if "来源:" not in line and not line.startswith("【")]


def write_html(path: Path) -> Path:
    """The report inside a portal's page: navigation, breadcrumbs, buttons, footer, scripts."""
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in body_lines()[1:])
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{TITLE}</title>
<style>p {{ text-indent: 2em; }}</style><script>var nav = "一、首页";</script></head>
<body><nav><a href="/">首页</a> | <a href="/x">政务公开</a></nav>
<div class="crumb">您现在的位置: 首页 &gt; 政务公开 &gt; 工作报告</div>
<div class="article"><h1>{TITLE}</h1>
<div class="info">雁江区门户网站 2022-03-10 来源:雁江区保和镇人民政府</div>
<div class="tools">【打印本稿】 【关闭】</div>
{paragraphs}
</div>
<div class="footer">相关文档:<br>网站地图 | 使用帮助<br>主办:资阳市雁江区人民政府<br>
蜀ICP备16009751号-1 川公网安备 51200202000058号</div>
<script>document.write("二、统计");</script></body></html>"""
    path.write_text(page, encoding="utf-8")
    return path


def write_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    lines = body_lines()
    document.add_heading(lines[0], level=1)
    document.add_paragraph("雁江区门户网站 2022-03-10 来源:雁江区保和镇人民政府")
    for line in lines[1:]:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def write_pdf(path: Path, font: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("cjk", fname=str(font))
    pdf.set_font("cjk", size=11)
    pdf.add_page()
    lines = body_lines()
    for line in [lines[0], "雁江区门户网站 2022-03-10 来源:雁江区保和镇人民政府", *lines[1:]]:
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path
