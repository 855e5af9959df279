"""Operators see hub items in the admin; nothing is changed there (hub.services does that)."""

from hub.models import Practice


def test_the_admin_shows_items_read_only(client, make_practice, admin_user, reviewer):
    practice = make_practice(title="Une stratégie <b>nationale</b>", language="fr")
    client.force_login(admin_user)
    listing = client.get("/admin/hub/practice/", {"q": "stratégie", "status": "published"})
    assert listing.status_code == 200
    assert "Une stratégie &lt;b&gt;nationale&lt;/b&gt;" in listing.content.decode()
    page = client.get(f"/admin/hub/practice/{practice.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html
    assert reviewer.get_full_name() in html  # the history: who published it
    assert client.get("/admin/hub/practice/add/").status_code == 403
    assert (
        client.post(f"/admin/hub/practice/{practice.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert (
        client.post(f"/admin/hub/practice/{practice.pk}/change/", {"title": "Changed"}).status_code
        == 403
    )
    practice.refresh_from_db()
    assert practice.title == "Une stratégie <b>nationale</b>"
    assert Practice.objects.count() == 1
