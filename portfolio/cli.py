"""The command line of the contract: ``flask --app portfolio …``."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from .extensions import db


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


referential_cli = AppGroup("referential", help="Load and import certification referentials.")
users_cli = AppGroup("users", help="Manage user accounts and API tokens.")


@referential_cli.command("load")
def referential_load() -> None:
    """Load the built-in RNCP41241 referential (idempotent)."""
    from .referential.services import load_builtin

    cert, created = load_builtin()
    db.session.commit()
    blocs = len(cert.blocs)
    competences = sum(len(b.competences) for b in cert.blocs)
    state = "loaded" if created else "already up to date"
    click.echo(f"{cert.code} v{cert.version} {state}: {blocs} blocs, {competences} competences")


@referential_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def referential_import(path: str) -> None:
    """Import every fiche of a France Compétences XML export, in one transaction."""
    from .referential.services import ReferentialError
    from .referential.xml_import import import_xml

    try:
        result = import_xml(path)
        db.session.commit()
    except ReferentialError as exc:
        db.session.rollback()
        _fail(str(exc))
    click.echo(
        f"imported {result.fiches} fiches from {path}: {result.created} new versions, "
        f"{result.unchanged} unchanged"
    )


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["admin", "candidate", "assessor", "jury", "referent"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(email: str, name: str, roles: tuple[str, ...], password_stdin: bool) -> None:
    """Create a user; prints the user id."""
    from .accounts.services import AccountError, create_user

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            _fail("--password-stdin was given but standard input holds no password")
    try:
        user = create_user(email, name, list(roles), password=password)
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        _fail(str(exc))
    click.echo(user.id)


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="A label for the token.")
def users_token(email: str, name: str) -> None:
    """Create an API token for a user; prints the token."""
    from .accounts.services import create_api_token, get_user_by_email

    user = get_user_by_email(email)
    if user is None:
        _fail(f"no user with email {email}")
    _, token = create_api_token(user, name)
    db.session.commit()
    click.echo(token)


@click.command("enrol")
@click.argument("email")
@click.option("--certification", required=True)
@click.option("--route", required=True,
              type=click.Choice(["training", "apprenticeship", "continuing", "professionalisation", "vae"]))
@click.option("--option", type=click.Choice(["scenario-realisation", "production-distribution"]))
@click.option("--cohort", help="Cohort name; created when new.")
def enrol_command(email: str, certification: str, route: str, option: str | None, cohort: str | None) -> None:
    """Enrol a user in a certification; prints the enrolment id."""
    from .accounts.services import get_user_by_email
    from .enrolments.services import EnrolmentError, enrol, get_or_create_cohort
    from .referential.services import current_certification

    user = get_user_by_email(email)
    if user is None:
        _fail(f"no user with email {email}")
    cert = current_certification(certification)
    if cert is None:
        _fail(f"unknown certification {certification}; run 'flask referential load' first")
    try:
        cohort_row = get_or_create_cohort(cohort, cert) if cohort else None
        enrolment = enrol(user, cert, route, option=option, cohort=cohort_row)
        db.session.commit()
    except EnrolmentError as exc:
        db.session.rollback()
        _fail(str(exc))
    click.echo(enrolment.id)


@click.command("assign")
@click.argument("assessor_email")
@click.argument("enrolment_id", type=int)
def assign_command(assessor_email: str, enrolment_id: int) -> None:
    """Make an assessor responsible for an enrolment."""
    from .accounts.services import get_user_by_email
    from .enrolments.models import Enrolment
    from .enrolments.services import EnrolmentError, assign

    assessor = get_user_by_email(assessor_email)
    if assessor is None:
        _fail(f"no user with email {assessor_email}")
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None:
        _fail(f"no enrolment {enrolment_id}")
    try:
        assign(assessor, enrolment)
        db.session.commit()
    except EnrolmentError as exc:
        db.session.rollback()
        _fail(str(exc))
    click.echo(f"{assessor.email} assigned to enrolment {enrolment.id}")


@click.command("demo")
def demo_command() -> None:
    """Seed the demo data (idempotent); prints the demo accounts."""
    from .demo import DEMO_PASSWORD, seed_demo

    accounts = seed_demo()
    db.session.commit()
    click.echo(f"Demo accounts (password: {DEMO_PASSWORD}) on {current_app.config['EXTERNAL_URL']}")
    for email, name, roles in accounts:
        click.echo(f"  {email:<34} {name:<24} {', '.join(roles)}")


def register_cli(app) -> None:
    app.cli.add_command(referential_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(enrol_command)
    app.cli.add_command(assign_command)
    app.cli.add_command(demo_command)
    from .files.cli import storage_cli

    app.cli.add_command(storage_cli)
