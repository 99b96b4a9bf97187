"""The back office's top menu: the day's pages in the bar, the less used
ones under "Mer" (a <details> drop-down), each shown only to the roles that
may open it, and the page shown marked inside Mer and on Mer itself. The
layout in a browser: tests/test_staff_menu_browser.py."""

from __future__ import annotations

from lxml import html as lxml_html

from tests.conftest import ADMIN, STAFF
from tests.test_staff_roles import make_staff


def nav(client, path: str):
    response = client.get(path)
    assert response.status_code == 200
    (menu,) = lxml_html.fromstring(response.get_data(as_text=True)).xpath('//nav[@id="mainmenu"]')
    return menu


def bar(menu) -> list[str]:
    return [a.text_content() for a in menu.xpath("./a")]


def more(menu) -> list[str]:
    return [a.text_content() for a in menu.xpath('./details[@class="more-menu"]//a')]


def test_the_less_used_pages_are_under_mer(demo_app, login):
    client = demo_app.test_client()
    login(client, STAFF)
    menu = nav(client, "/staff/")
    assert bar(menu) == ["Översikt", "Ärenden", "Ändringar", "Beställningar", "Kunder"]
    assert more(menu) == ["Avtal", "Produkter", "Driftinformation", "Fakturaimport"]
    (summary,) = menu.xpath('./details[@class="more-menu"]/summary')
    assert summary.get("class") is None  # the page shown is in the bar
    assert menu.xpath("./a[@aria-current='page']")[0].text_content() == "Översikt"


def test_the_page_shown_is_marked_inside_mer_and_on_mer(demo_app, login):
    client = demo_app.test_client()
    login(client, STAFF)
    menu = nav(client, "/staff/outages")
    (summary,) = menu.xpath('./details[@class="more-menu"]/summary')
    assert summary.get("class") == "has-current"
    assert "Driftinformation (aktuell sida)" in summary.text_content()
    current = menu.xpath(".//a[@aria-current='page']")
    assert [a.text_content() for a in current] == ["Driftinformation"]
    assert current[0].getparent().get("class") == "more-menu-panel"


def test_mer_holds_only_what_the_role_may_open(demo_app, login):
    client = demo_app.test_client()
    login(client, make_staff("fakt@operator.se", "billing").username)
    menu = nav(client, "/staff/")
    assert "Fakturaimport" in more(menu)
    assert "Ärenden" not in bar(menu)
    login(client, make_staff("order@operator.se", "orders").username)
    menu = nav(client, "/staff/")
    assert "Fakturaimport" not in more(menu)


def test_a_customer_has_no_mer(demo_client, login):
    login(demo_client, ADMIN)
    menu = nav(demo_client, "/")
    assert not menu.xpath(".//details")
    assert "Tjänster" in bar(menu)
