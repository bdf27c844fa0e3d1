"""The forms a checklist item takes besides ``- [ ] task``: a table row with a box per row,
a numbered step heading, a plain bullet under a heading that says checklist / verify /
before you deploy — and which untagged code fences hold commands.

``parse`` asks these questions while it walks markdown-it's token stream; nothing here
decides what an item means (that is ``recognize``/``bind``)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

#: What a box looks like in a table cell: `[ ]`, `[x]`, ☐/☑/✅/❌, `&#9744;`, shortcodes.
_EMPTY_BOXES = ("[ ]", "[]", "☐", "⬜", "□", "🔲", "🔳", "&#9744;", "&#x2610;", ":white_large_square:",
                ":black_square_button:", ":white_square_button:", ":ballot_box:", "⏳", "➖", ":hourglass:")
_DONE_BOXES = ("[x]", "[X]", "☑", "☒", "✅", "✔", "✔️", "✓", "❌", "✗", "✘", "&#9745;", "&#9746;",
               "&#x2611;", ":white_check_mark:", ":heavy_check_mark:", ":ballot_box_with_check:",
               ":x:", ":negative_squared_cross_mark:")
_CHECKED = ("[x]", "[X]", "☑", "✅", "✔", "✔️", "✓", "&#9745;", "&#x2611;", ":white_check_mark:",
            ":heavy_check_mark:", ":ballot_box_with_check:")
_BOX_ALTERNATIVES = "(?:" + "|".join(re.escape(b) for b in _EMPTY_BOXES + _DONE_BOXES) + ")"
_BOX_CELL = re.compile("^" + _BOX_ALTERNATIVES + "$")
#: A box with its label in a Status cell: ``[ ] Not started``, ``☐ Pending``, ``✅ Done``.
_LABELLED_BOX = re.compile("^(?P<box>" + _BOX_ALTERNATIVES + r")\s+[^\W_]")  # not "[ ] ]"
#: A cell that only numbers its row: ``3``, ``1.2.1``, ``#4``, also in bold (``**14.1.1**``).
_NUMBER_CELL = re.compile(r"[\d.#)]+")
_TAG = re.compile(r"<[^>]+>")
_STATUS_HEAD = re.compile(r"^(status|state|done|check(ed)?|complete[d]?|ok|result|✓|✔|☑|✅"
                          r"|estado|statut|état|zustand|статус|状态|状態|상태)$", re.I)
_SIGNER_HEAD = re.compile(r"verified by|checked by|signed( off)? by|sign-?off|approved by|owner|"
                          r"responsible|assignee|who|verificado por|vérifié par|geprüft von|"
                          r"проверил|確認者|担当|负责人|확인자|담당", re.I)
_DATE_HEAD = re.compile(r"^(date|verified on|checked on|completed( on)?|done on|when|fecha|data|"
                        r"datum|дата|日付|日期|날짜)$", re.I)
#: A trailing parenthesised legend of the marks a column takes, e.g. ``(✅/⚠️/❌)`` or ``(Y/N)``.
_LEGEND = re.compile(r"\s*\([^()]*\)$")
_WEAK_STATUS_HEAD = re.compile(r"^check(ed)?$", re.I)
#: A box written before the item's text in its cell: ``| [ ] All code reviewed | | |``.
_TEXT_BOX = re.compile(r"^\[[ xX]?\]\s+")
_NOTES_HEAD = re.compile(r"^(notes?|result|evidence|comments?|remarks?)$", re.I)

#: A numbered step heading: `1) …`, `1. …`, `Step 3: …`, `10 days before release`, …
STEP_HEADING = re.compile(
    r"^(?:\d{1,3}[.)]\s+\S|(?:step|paso|passo|étape|etape|schritt|шаг|stap|fase)\s*\d{1,3}\b"
    r"|\d{1,3}\s*(?:days?|weeks?|hours?|months?)\s+(?:before|after|prior)\b"
    r"|(?:ステップ|手順|步骤|第)\s*\d{1,3}|\d{1,3}\s*단계|단계\s*\d{1,3})", re.I)
#: A heading that says its bullets are a checklist.
CHECKLIST_HEADING = re.compile(
    r"check ?-?list|\bverif|\bvalidat|before (you )?(deploy|release|launch|ship|go live|merg)"
    r"|pre-?(deploy|release|launch|flight|production|merge)|readiness|sanity|smoke test|to-?do"
    r"|go[- ]?live|launch list|チェックリスト|確認|検証|检查|清单|核对|验证|lista de (verificaci|comprobaci|"
    r"checagem)|verificar|vérif|liste de contrôle|checkliste|prüf|чек-?лист|провер|체크리스트|점검|확인|검증",
    re.I)

#: First words of lines that make an untagged fence a block of commands.
_COMMAND_WORDS = frozenset(
    "curl wget git npm npx pnpm yarn node docker docker-compose kubectl helm make python python3 pip "
    "pip3 poetry uv pytest go cargo rustup terraform ansible ansible-playbook aws gcloud az ssh scp "
    "rsync systemctl journalctl sudo cd export ls cat grep echo psql mysql redis-cli php composer "
    "bundle rails rake mvn gradle ./gradlew ./mvnw dotnet nginx certbot openssl dig nslookup ping "
    "flutter dart gh heroku vercel netlify fly firebase supabase prisma alembic django-admin "
    "tail head chmod chown mkdir cp mv rm ln tar unzip source bash sh pm2 deno bun java".split())
_PS_PROMPT = re.compile(r"^\s*PS(?: [^>]*)?>\s?")


@dataclass
class RowColumns:
    """Where a table row's boxes and sign-off cells are, by column index."""

    boxes: list[int] = field(default_factory=list)
    status: int | None = None
    signer: int | None = None
    date: int | None = None
    notes: int | None = None


def cell_text(raw: str) -> str:
    """A cell's text without HTML tags (``<br>`` becomes a space) or entities of boxes."""
    return " ".join(_TAG.sub(" ", raw).replace("&nbsp;", " ").split())


def is_box(raw: str) -> bool:
    return bool(_BOX_CELL.match(cell_text(raw)))


def box_checked(raw: str) -> bool:
    labelled = _LABELLED_BOX.match(cell_text(raw))
    return (labelled.group("box") if labelled else cell_text(raw)) in _CHECKED


def _numbers_the_row(raw: str) -> bool:
    return bool(_NUMBER_CELL.fullmatch(re.sub(r"[*_`]", "", cell_text(raw)).strip()))


def _head_name(raw: str) -> str:
    plain = re.sub(r"[`*_]", "", cell_text(raw)).strip()
    return _LEGEND.sub("", plain)  # "Status (✅/⚠️/❌)": the legend is not the name


def header_columns(header: list[str]) -> RowColumns:
    """The status / signer / date / notes columns a table's header names."""
    status, signer, date, notes, _ = _named_columns(tuple(header))
    return RowColumns(status=status, signer=signer, date=date, notes=notes)


@functools.lru_cache(maxsize=64)  # asked once per row, and a table's rows share one header
def _named_columns(header: tuple[str, ...]) -> tuple[int | None, int | None, int | None, int | None, bool]:
    """(status, signer, date, notes, whether the status column is only a weak "Check")."""
    status = signer = date = notes = None
    weak_status: int | None = None  # "Check" names the item column as often as the box column
    for index, name in enumerate(header):
        plain = _head_name(name)
        if status is None and _STATUS_HEAD.match(plain):
            if _WEAK_STATUS_HEAD.match(plain) and weak_status is None:
                weak_status = index
            elif not _WEAK_STATUS_HEAD.match(plain):
                status = index
        elif signer is None and _SIGNER_HEAD.search(plain):
            signer = index
        elif date is None and _DATE_HEAD.match(plain):
            date = index
        elif notes is None and _NOTES_HEAD.match(plain):
            notes = index
    if status is None:
        return weak_status, signer, date, notes, weak_status is not None
    return status, signer, date, notes, False


def row_item(header: list[str], cells: list[str]) -> tuple[str, bool, RowColumns] | None:
    """(text, checked, columns) when a table row is a checklist item: it has a box, or the
    header's Status column is blank in it or holds a labelled box (``[ ] Not started``). Its
    text is its first cell that says something other than the row's number."""
    cols = header_columns(header)
    boxes = [i for i, raw in enumerate(cells) if is_box(raw)]
    status, weak = cols.status, _named_columns(tuple(header))[4]
    if (status is not None and status < len(cells) and status not in boxes and not weak
            and _LABELLED_BOX.match(cell_text(cells[status]))):
        boxes = sorted([*boxes, status])  # "[ ] Not started" under Status: the row's box, labelled
    if status is not None and (status >= len(cells) or cell_text(cells[status]) and status not in boxes):
        cols.status = None  # a column headed "Check" that holds the item's text
    if not boxes and cols.status is None:
        return None
    text = next((_TEXT_BOX.sub("", cell_text(c)) for i, c in enumerate(cells)
                 if i not in boxes and i != cols.status
                 and cell_text(c) and not _numbers_the_row(c)), "")
    if not text:
        return None
    cols.boxes = boxes if boxes else [cols.status] if cols.status is not None else []
    checked = bool(boxes) and all(box_checked(cells[i]) for i in boxes)
    return text, checked, cols


def is_step_heading(title: str) -> bool:
    return bool(STEP_HEADING.match(title.strip()))


def is_checklist_heading(title: str) -> bool:
    return bool(CHECKLIST_HEADING.search(title))


def holds_commands(content: str) -> bool:
    """Whether an untagged fence holds commands: every line that is not blank or a comment
    starts with ``$ `` or a well-known program (output, YAML or prose does not)."""
    lines = [line.strip() for line in content.splitlines() if line.strip() and not line.strip().startswith("#")]
    if not lines:
        return False
    for line in lines:
        if line.startswith("$ "):
            continue
        first = line.split()[0]
        if first not in _COMMAND_WORDS and not first.startswith("./"):
            return False
    return True


def strip_powershell_prompts(content: str) -> str:
    """``PS C:\\> cmd`` → ``cmd``; lines of a transcript without a prompt are output, dropped."""
    lines = content.split("\n")
    if not any(_PS_PROMPT.match(line) for line in lines):
        return content
    return "\n".join(_PS_PROMPT.sub("", line, count=1) if _PS_PROMPT.match(line) else ""
                     for line in lines)
