"""The annual draft as one standalone HTML page, laid out like a 公文 on A4 paper.

Every sentence is a span carrying the codes it cites (`data-codes`), so a reader of the page
(or a script) can find which ledger rows a sentence was built from; the marker after it shows
them in print. Nothing is fetched, as with the printouts (tracker.printouts.html).
"""

from __future__ import annotations

from html import escape

from tracker.annual.marks import (
    marker,
    note_line,
    one_line,
    sentence_text,
    separated,
    title_lines,
)
from tracker.annual.model import AnnualDraft, Heading, Paragraph, Sentence
from tracker.i18n import get_language

# GB/T 9704: A4, margins 37/26/35/28 mm, body 三号仿宋 on a 28 pt line, title 二号宋体
# (方正小标宋 where installed), 一、 headings 黑体, （一） headings 楷体.
_CSS = """
@page { size: A4 portrait; margin: 37mm 26mm 35mm 28mm; }
body { font-family: "FangSong", "仿宋", "FangSong_GB2312", "STFangsong", "Noto Serif CJK SC",
  "SimSun", serif; font-size: 16pt; line-height: 28pt; color: #000; margin: 2em auto;
  max-width: 156mm; }
h1 { font-family: "FZXiaoBiaoSong-B05S", "方正小标宋简体", "SimSun", "宋体", "Noto Serif CJK SC",
  serif; font-size: 22pt; line-height: 36pt; font-weight: normal; text-align: center;
  margin: 0 0 28pt; }
h2, h3 { font-size: 16pt; font-weight: normal; margin: 0; text-indent: 2em; }
h2 { font-family: "SimHei", "黑体", "STHeiti", "Noto Sans CJK SC", sans-serif; }
h3 { font-family: "KaiTi", "楷体", "KaiTi_GB2312", "STKaiti", "SimHei", "黑体", serif; }
p { margin: 0; text-indent: 2em; text-align: justify; }
p.note { text-indent: 0; text-align: center; font-size: 12pt; color: #555; margin-bottom: 28pt; }
p.sign { text-indent: 0; text-align: right; }
p.sign.first { margin-top: 56pt; }
sup.codes { font-family: "Noto Sans CJK SC", sans-serif; font-size: 9pt; line-height: 0;
  color: #666; }
span.gap { background: #fff176; }
@media print { body { margin: 0; max-width: none; }
  span.gap { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"""


def _sentence(sentence: Sentence, *, plain: bool) -> str:
    text = escape(sentence_text(sentence))
    if sentence.gap:
        text = f'<span class="gap">{text}</span>'
    if plain or not sentence.codes:
        return f'<span class="sentence">{text}</span>'
    codes = escape(" ".join(sentence.codes))
    mark = f'<sup class="codes">{escape(marker(sentence))}</sup>'
    return f'<span class="sentence" data-codes="{codes}">{text}</span>{mark}'


def _paragraph(paragraph: Paragraph, *, plain: bool) -> str:
    said = "".join(before + _sentence(s, plain=plain) for before, s in separated(paragraph))
    return "<p>" + said + "</p>"


def render_draft_html(draft: AnnualDraft, *, plain: bool = False) -> str:
    """The draft as an HTML page with A4 print CSS, in the current language's `lang`."""
    lang = "zh-CN" if get_language() == "zh" else "en"
    title = escape(one_line(draft.title))
    lines = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{title}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{'<br>'.join(escape(line) for line in title_lines(draft))}</h1>",
    ]
    if note := note_line(draft, plain=plain):
        lines.append(f'<p class="note">{escape(note)}</p>')
    lines.append(_paragraph(draft.opening, plain=plain))
    for part in draft.parts:
        lines.append(f"<h2>{escape(one_line(part.title))}</h2>")
        for block in part.blocks:
            if isinstance(block, Heading):
                lines.append(f"<h3>{escape(one_line(block.text))}</h3>")
            else:
                lines.append(_paragraph(block, plain=plain))
    lines.append(f'<p class="sign first">{escape(one_line(draft.issuer))}</p>')
    lines.append(f'<p class="sign">{escape(one_line(draft.signed))}</p>')
    lines.extend(["</body>", "</html>"])
    return "\n".join(lines) + "\n"
