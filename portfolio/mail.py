"""Outgoing mail: SMTP when MAIL_SERVER is set, otherwise printed (development) and kept in ``outbox``."""
from __future__ import annotations

import smtplib
import sys
from email.message import EmailMessage

from flask import current_app

outbox: list[EmailMessage] = []


def send_mail(to: str, subject: str, body: str, attachments: list[tuple[str, str, bytes]] | None = None) -> None:
    """Send a plain-text message; attachments are (filename, media type, bytes)."""
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    for filename, media_type, data in attachments or []:
        maintype, subtype = media_type.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    if current_app.testing or not cfg.get("MAIL_SERVER"):
        outbox.append(msg)
        if not current_app.testing:
            print(f"--- mail to {to}: {subject}\n{body}\n---", file=sys.stderr, flush=True)
        return
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=30) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(msg)
