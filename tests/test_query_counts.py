"""List pages send the same number of SQL queries whatever the amount of data."""

from __future__ import annotations

from typing import Any

from civic.accounts.models import Role
from tests import factories


def queries_for(client: Any, url: str, count_queries: Any) -> int:
    with count_queries() as counted:
        assert client.get(url).status_code == 200
    return counted.n


def test_list_pages_do_not_grow_with_data(login_as: Any, db: Any, people: dict,
                                          contract: Any, count_queries: Any) -> None:
    client = login_as(people["pilot"])
    urls = ["/", "/admin/quartiers", "/admin/signataires", "/admin/orientations",
            "/admin/roles", "/admin/journal"]

    def add_data(times: int) -> None:
        for n in range(times):
            quartier = factories.make_quartier(db, contract)
            factories.make_orientation(db, contract)
            signatory = factories.make_signatory(db, contract)
            factories.make_user(db, roles=[(Role.MODERATOR, quartier),
                                           (Role.SIGNATORY, signatory)])
            client.post("/admin/contrat", data={"name": f"Contrat {times} {n}",
                                                "start_year": "2024", "end_year": "2030"})

    add_data(1)
    before = {url: queries_for(client, url, count_queries) for url in urls}
    add_data(8)
    after = {url: queries_for(client, url, count_queries) for url in urls}
    assert after == before


def test_the_quartier_page_does_not_grow_with_the_contract(client: Any, db: Any, contract: Any,
                                                           quartier: Any,
                                                           count_queries: Any) -> None:
    url = f"/quartiers/{quartier.code}"
    before = queries_for(client, url, count_queries)
    for _ in range(6):
        factories.make_orientation(db, contract)
        factories.make_signatory(db, contract)
    assert queries_for(client, url, count_queries) == before
