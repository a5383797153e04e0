"""Streaming import of a France Compétences export: speed, and memory that does not grow with the file.

Writes a large synthetic v4 export (fiches shaped like RNCP41241, with the long free-text fields the
real export carries) to a temporary file, imports it into a fresh SQLite database through
``import_xml``, and does the same with a file a quarter of its size. Each import runs in its own
process so that its peak resident memory is its own; similar peaks for both sizes show that memory
stays flat. ``BENCH_XML_FICHES`` overrides the number of fiches of the large file.
"""
from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

from bench.memory import reset_peak_rss, rss_kib

FICHES = int(os.environ.get("BENCH_XML_FICHES", "3000"))
FILLER_WORDS = 1_400  # words of free text per fiche and field outside the blocs (ACTIVITES_VISEES …)

_WORDS = ("scénario", "production", "tournage", "montage", "diffusion", "financement", "équipe", "projet",
          "audiovisuel", "cinématographique", "analyser", "piloter", "concevoir", "négocier", "œuvre")
_ROUTES = ("SI_JURY_FI", "SI_JURY_CA", "SI_JURY_FC", "SI_JURY_CQ", "SI_JURY_CL", "SI_JURY_VAE")


def _words(n: int, seed: int) -> str:
    return " ".join(_WORDS[(seed + i * 7) % len(_WORDS)] for i in range(n))


_FILLERS = [escape(f"<p>{_words(FILLER_WORDS, seed)}</p>") for seed in range(len(_WORDS))]


def _fiche(number: int) -> str:
    code = f"RNCP{number}"
    filler = _FILLERS[number % len(_FILLERS)]
    parts = [
        "  <FICHE>",
        f"    <ID_FICHE>{number}</ID_FICHE>",
        f"    <NUMERO_FICHE>{code}</NUMERO_FICHE>",
        f"    <INTITULE>Titre de la certification {number} : {_words(8, number)}</INTITULE>",
        f"    <ACTIF>{'Non' if number % 5 == 0 else 'Oui'}</ACTIF>",
        f"    <NOMENCLATURE_EUROPE><NIVEAU>NIV{3 + number % 6}</NIVEAU></NOMENCLATURE_EUROPE>",
        "    <CERTIFICATEURS><CERTIFICATEUR><NOM_CERTIFICATEUR>ÉCOLE DE CINÉMA</NOM_CERTIFICATEUR>"
        "</CERTIFICATEUR></CERTIFICATEURS>",
        "    <DATE_DE_PUBLICATION>13/08/2025</DATE_DE_PUBLICATION>",
        "    <DATE_FIN_ENREGISTREMENT>31/08/2029</DATE_FIN_ENREGISTREMENT>",
        f"    <ACTIVITES_VISEES>{filler}</ACTIVITES_VISEES>",
        f"    <CAPACITES_ATTESTEES>{filler}</CAPACITES_ATTESTEES>",
    ]
    for route in _ROUTES:
        parts.append(f"    <{route}><ACTIF>Oui</ACTIF><COMPOSITION>&lt;p&gt;Président et membres "
                     f"professionnels&lt;/p&gt;</COMPOSITION></{route}>")
    parts.append("    <BLOCS_COMPETENCES>")
    # Like the export: older fiches have no blocs, recent ones up to eight (RNCP41241's shape, two options).
    blocs = number % 9
    for b in range(1, blocs + 1):
        title = f"Bloc {b} : {_words(10, number + b)}"
        if b >= 7:
            title += " (option scénario et réalisation - bloc optionnel)" if b == 7 else \
                " (option production/distribution - bloc optionnel)"
        competences = "".join(f"<p>{_words(40, number + b + k)}</p>" for k in range(3 + (number + b) % 5))
        modalites = f"<p>{_words(60, number + b)}.</p>"
        if b == 3:
            modalites += "<p>Pré-requis : le niveau B2 du CECRL en anglais est exigé.</p>"
        parts += [
            "      <BLOC_COMPETENCES>",
            f"        <CODE>{code}BC0{b}</CODE>",
            f"        <LIBELLE>{escape(title)}</LIBELLE>",
            f"        <LISTE_COMPETENCES>{escape(competences)}</LISTE_COMPETENCES>",
            f"        <MODALITES_EVALUATION><![CDATA[{modalites}]]></MODALITES_EVALUATION>",
            "      </BLOC_COMPETENCES>",
        ]
    parts += ["    </BLOCS_COMPETENCES>", "  </FICHE>", ""]
    return "\n".join(parts)


def write_export(path: Path, fiches: int) -> int:
    """Write a v4 export of ``fiches`` fiches, one at a time; return its size in bytes."""
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<FICHES>\n  <VERSION_FLUX>4.0.1</VERSION_FLUX>\n')
        for n in range(fiches):
            out.write(_fiche(100_000 + n))
        out.write("</FICHES>\n")
    return path.stat().st_size






def _import_in_fresh_app(xml_path: str, db_path: str) -> dict:
    """Runs in a child process: migrate a new SQLite database, then time the import."""
    from flask_migrate import upgrade

    from portfolio import create_app
    from portfolio.extensions import db
    from portfolio.referential.xml_import import import_xml

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        db.session.commit()
        reset_peak_rss()
        baseline = rss_kib("VmRSS")
        started = time.perf_counter()
        result = import_xml(xml_path)
        db.session.commit()
        elapsed = time.perf_counter() - started
        peak = rss_kib("VmHWM")
        db.engine.dispose()
    return {"fiches": result.fiches, "created": result.created, "seconds": elapsed,
            "baseline_kib": baseline, "peak_kib": peak}


def _run(xml_path: Path, workdir: Path) -> dict:
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(_import_in_fresh_app, (str(xml_path), str(workdir / f"{xml_path.stem}.db")))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-xml-") as tmp:
        workdir = Path(tmp)
        rows = []
        for label, fiches in (("quarter", max(FICHES // 4, 1)), ("full", FICHES)):
            path = workdir / f"export-{label}.xml"
            started = time.perf_counter()
            size = write_export(path, fiches)
            written = time.perf_counter() - started
            run = _run(path, workdir)
            path.unlink()
            assert run["created"] == fiches, run
            growth_mib = (run["peak_kib"] - run["baseline_kib"]) / 1024
            rows.append((label, fiches, size, growth_mib))
            print(f"{label:>7}: {fiches} fiches, {size / 2**20:.1f} MiB written in {written:.1f} s; "
                  f"imported in {run['seconds']:.1f} s = {run['fiches'] / run['seconds']:.0f} fiches/s, "
                  f"{size / 2**20 / run['seconds']:.1f} MiB/s; peak RSS growth {growth_mib:.1f} MiB")
        (_, _, small_size, small_growth), (_, _, big_size, big_growth) = rows
        ratio = big_growth / max(small_growth, 0.1)
        print(f"memory: file x{big_size / small_size:.1f} -> peak RSS growth x{ratio:.2f} "
              f"({small_growth:.1f} -> {big_growth:.1f} MiB)")


if __name__ == "__main__":
    main()
