"""The French catalog: complete for the code as it is, faithful to its placeholders, compiled, and used.

French is the default language and English the msgid language, so a string missing from the French
catalog shows up in English on a French page. The extraction runs here exactly as `make translations`
runs it (the arguments are read from the Makefile), into a temporary .pot.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "portfolio" / "translations"
FR_PO = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po"
FR_MO = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%%")


def _makefile_extract_args() -> list[str]:
    """The arguments of `pybabel extract` in the Makefile's translations target, backslash-continuations joined."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(line for line in text.splitlines() if "pybabel extract" in line)
    args = shlex.split(line.split("pybabel extract", 1)[1])
    assert "-o" in args, "the Makefile's extract command names no output file"
    return args


def _extract(tmp_path: Path):
    args = _makefile_extract_args()
    args[args.index("-o") + 1] = str(tmp_path / "messages.pot")
    args = [str(ROOT) if a == "." else a for a in args]
    args[args.index("-F") + 1] = str(ROOT / args[args.index("-F") + 1])
    CommandLineInterface().run(["pybabel", "-q", "extract", *args])
    with open(tmp_path / "messages.pot", "rb") as f:
        return read_po(f)


def _french():
    with open(FR_PO, "rb") as f:
        return read_po(f, locale="fr")


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and bool(strings) and all(s.strip() for s in strings)


def _label(msgid) -> str:
    return repr(msgid[0] if isinstance(msgid, tuple) else msgid)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    return _extract(tmp_path_factory.mktemp("pot"))


def test_the_extraction_finds_the_code_strings(extracted):
    ids = {m.id for m in extracted if m.id}
    assert "Log in" in ids
    assert "administrator" in ids  # lazy_gettext as _l, in portfolio/labels.py
    assert ("%(num)d file added.", "%(num)d files added.") in ids  # ngettext keeps its plural


def test_every_msgid_of_the_code_has_a_french_translation(extracted):
    french = _french()
    missing, fuzzy, empty = [], [], []
    for message in extracted:
        if not message.id:
            continue
        entry = french.get(message.id)
        where = f"{_label(message.id)} ({message.locations[0][0] if message.locations else '?'})"
        if entry is None:
            missing.append(where)
        elif entry.fuzzy:
            fuzzy.append(where)
        elif not _translated(entry):
            empty.append(where)
    problems = [f"{title} ({len(items)}):\n  " + "\n  ".join(items)
                for title, items in (("not in messages.po", missing), ("fuzzy", fuzzy), ("empty", empty)) if items]
    assert not problems, "Run `make translations` and translate:\n" + "\n".join(problems)


def test_no_fuzzy_entry_is_left():
    assert [_label(m.id) for m in _french() if m.id and m.fuzzy] == []


def test_the_plural_forms_follow_the_french_rule():
    french = _french()
    assert french.num_plurals == 2
    assert french.plural_expr.replace(" ", "") == "(n>1)"
    plurals = [m for m in french if m.id and isinstance(m.id, tuple)]
    assert plurals, "the catalog has no plural message: ngettext is not extracted"
    for message in plurals:
        assert len(message.string) == 2 and all(message.string), _label(message.id)


def test_placeholders_match_between_msgid_and_msgstr():
    wrong = []
    for message in _french():
        if not message.id or not _translated(message):
            continue
        if isinstance(message.id, tuple):
            # msgstr[0] serves n = 0 and 1 in French, msgstr[1] the rest: both take the plural's placeholders,
            # which are the singular's in every ngettext of the code.
            pairs = [(message.id[0], message.string[0]), (message.id[1], message.string[1])]
        else:
            pairs = [(message.id, message.string)]
        for source, target in pairs:
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target)):
                wrong.append(f"{source!r} -> {target!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def _key(value):
    return tuple(value) if isinstance(value, list) else value


def test_the_committed_mo_is_compiled_from_the_po():
    french = _french()
    with open(FR_MO, "rb") as f:
        committed = read_mo(f)
    expected = {_key(m.id): _key(m.string) for m in french if m.id and _translated(m)}
    compiled = {_key(m.id): _key(m.string) for m in committed if m.id}
    stale = sorted(_label(k) for k in expected.keys() ^ compiled.keys())
    stale += sorted(_label(k) for k in expected.keys() & compiled.keys() if expected[k] != compiled[k])
    assert not stale, ("the .mo is out of date with the .po; run `pybabel compile -d portfolio/translations`: "
                       + ", ".join(stale[:20]))
    assert committed.plural_expr == french.plural_expr


def test_a_page_is_in_french_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "<h1>Se connecter</h1>" in page
    assert "Mot de passe oublié" in page
    assert "Forgot your password?" not in page


def test_a_page_is_in_english_with_the_lang_cookie(client):
    client.set_cookie("lang", "en", domain="localhost")
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "<h1>Log in</h1>" in page
    assert "Forgot your password?" in page


def test_lazy_labels_follow_the_locale(app):
    from flask_babel import force_locale

    from portfolio.labels import option_label, role_label

    with app.test_request_context(), force_locale("fr"):
        assert str(role_label("referent")) == "référent handicap"
        assert str(option_label("scenario-realisation")) == "Scénario / Réalisation"
    with app.test_request_context(), force_locale("en"):
        assert str(role_label("referent")) == "disability referent"
