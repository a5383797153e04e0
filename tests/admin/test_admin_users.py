"""Users: list, search, create (with or without a password), duplicate email, edit."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portfolio import mail
from portfolio.accounts.models import User
from portfolio.accounts.services import create_user, get_user_by_email, user_for_reset_token
from portfolio.audit.models import AuditEntry


@pytest.fixture(autouse=True)
def english(client):
    """The assertions read the English texts, whatever the default locale's catalog says."""
    client.set_cookie("lang", "en")



def test_list_searches_and_filters(make_user, login_as):
    make_user("candidate", name="Chloé Durand", email="chloe@school.example.org")
    make_user("assessor", name="Marc Lefèvre", email="marc@school.example.org")
    admin = make_user("admin", name="Root Admin")
    client = login_as(admin)
    page = client.get("/admin/users?q=durand").get_data(as_text=True)
    assert "Chloé Durand" in page and "Marc Lefèvre" not in page
    page = client.get("/admin/users?q=MARC@").get_data(as_text=True)
    assert "Marc Lefèvre" in page and "Chloé Durand" not in page
    page = client.get("/admin/users?role=assessor").get_data(as_text=True)
    assert "Marc Lefèvre" in page and "Chloé Durand" not in page and f'/admin/users/{admin.id}"' not in page
    # LIKE wildcards are searched literally
    assert "Chloé Durand" not in client.get("/admin/users?q=%25").get_data(as_text=True)


def test_list_is_paged(make_user, login_as, db_session):
    for n in range(55):  # no password: hashing 55 of them would only slow the test down
        create_user(f"paged{n:02d}@school.example.org", f"Paged {n:02d}", ["candidate"])
    db_session.commit()
    client = login_as(make_user("admin", name="Zed Admin"))
    first = client.get("/admin/users?q=Paged").get_data(as_text=True)
    assert "55 users found" in first and "Paged 49" in first and "Paged 50" not in first
    assert "page=2" in first
    second = client.get("/admin/users?q=Paged&page=2").get_data(as_text=True)
    assert "Paged 50" in second and "Paged 49" not in second


def test_create_user_with_password(make_user, login_as):
    admin = make_user("admin")
    client = login_as(admin)
    mail.outbox.clear()
    response = client.post("/admin/users/new", data={
        "email": " New.Assessor@School.example.org ", "name": "Nadia Nouvelle", "roles": ["assessor", "jury"],
        "password": "a-long-enough-password",
    })
    assert response.status_code == 302
    user = get_user_by_email("new.assessor@school.example.org")
    assert user is not None and user.name == "Nadia Nouvelle" and user.roles == ["assessor", "jury"]
    assert user.password_hash
    assert response.location.endswith(f"/admin/users/{user.id}")
    assert mail.outbox == []


def test_create_user_without_password_sends_a_link(make_user, login_as, client):
    client = login_as(make_user("admin"))
    mail.outbox.clear()
    response = client.post("/admin/users/new", data={
        "email": "linked@school.example.org", "name": "Léa Lien", "roles": ["candidate"],
    })
    assert response.status_code == 302
    user = get_user_by_email("linked@school.example.org")
    assert user.password_hash is None
    assert len(mail.outbox) == 1 and mail.outbox[0]["To"] == "linked@school.example.org"
    body = mail.outbox[0].get_content()
    token = body.split("/password/reset/")[1].split()[0]
    assert user_for_reset_token(token) == user


def test_duplicate_email_is_a_form_error(make_user, login_as, db_session):
    make_user("candidate", email="taken@school.example.org")
    client = login_as(make_user("admin"))
    before = db_session.scalar(select(func.count(User.id)))
    response = client.post("/admin/users/new", data={
        "email": "TAKEN@school.example.org", "name": "Someone Else", "roles": ["candidate"],
    })
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="email-error"' in page and "A user with this email already exists." in page
    assert db_session.scalar(select(func.count(User.id))) == before


def test_create_user_needs_a_role_and_a_valid_email(make_user, login_as):
    client = login_as(make_user("admin"))
    page = client.post("/admin/users/new", data={"email": "not-an-email", "name": "X"}).get_data(as_text=True)
    assert 'id="email-error"' in page and 'id="roles-error"' in page
    assert get_user_by_email("not-an-email") is None


def test_edit_user_name_roles_and_active_flag(make_user, login_as, db_session):
    user = make_user("candidate", name="Old Name")
    admin = make_user("admin")
    client = login_as(admin)
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert 'value="Old Name"' in page
    response = client.post(f"/admin/users/{user.id}", data={"name": "New Name", "roles": ["assessor", "jury"]})
    assert response.status_code == 302
    db_session.refresh(user)
    assert user.name == "New Name" and user.roles == ["assessor", "jury"] and not user.is_active_account
    actions = set(db_session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == user.id,
                                                                     AuditEntry.target_type == "user")))
    assert {"user.update", "user.roles"} <= actions


def test_admin_cannot_lock_themselves_out(make_user, login_as, db_session):
    admin = make_user("admin")
    client = login_as(admin)
    page = client.post(f"/admin/users/{admin.id}", data={"name": admin.name, "roles": ["candidate"],
                                                         "is_active": "y"}).get_data(as_text=True)
    assert "You cannot remove your own administrator role." in page
    page = client.post(f"/admin/users/{admin.id}", data={"name": admin.name, "roles": ["admin"]}).get_data(
        as_text=True)
    assert "You cannot deactivate your own account." in page
    db_session.refresh(admin)
    assert admin.roles == ["admin"] and admin.is_active_account


def test_send_password_link(make_user, login_as):
    user = make_user("candidate", email="again@school.example.org")
    client = login_as(make_user("admin"))
    mail.outbox.clear()
    assert client.post(f"/admin/users/{user.id}/password-mail").status_code == 302
    assert [m["To"] for m in mail.outbox] == ["again@school.example.org"]
