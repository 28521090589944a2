"""The idea box's pages send the same number of SQL queries whatever the data."""

from __future__ import annotations

from typing import Any

from civic.ideas.models import Forwarding
from tests import factories
from tests.factories import NOW
from tests.test_query_counts import queries_for


def test_idea_pages_do_not_grow_with_data(login_as: Any, db: Any, people: dict, contract: Any,
                                          quartier: Any, signatory: Any,
                                          count_queries: Any) -> None:
    orientation = factories.make_orientation(db, contract)
    idea = factories.make_idea(db, quartier, people["resident"], orientation_id=orientation.id)

    def add_data(times: int) -> None:
        for _ in range(times):
            author = factories.make_user(db)
            other = factories.make_idea(db, quartier, author, orientation_id=orientation.id)
            factories.make_idea(db, quartier, author, moderation="pending")
            comment = factories.make_comment(db, idea, author)
            factories.make_comment(db, idea, author, parent_id=comment.id)
            factories.make_comment(db, other, author, moderation="pending")
            for target, to in ((other, signatory),
                               (idea, factories.make_signatory(db, contract))):
                db.add(Forwarding(idea_id=target.id, signatory_id=to.id, forwarded_at=NOW,
                                  due_on=NOW.date()))
        db.flush()

    urls = {"moderator": ["/moderation", f"/quartiers/{quartier.code}/idees",
                          f"/idees/{idea.id}", "/qui-fait-quoi"],
            "signatory": ["/signataire"]}
    add_data(1)
    before = {(who, url): queries_for(login_as(people[who]), url, count_queries)
              for who, group in urls.items() for url in group}
    add_data(6)
    after = {(who, url): queries_for(login_as(people[who]), url, count_queries)
             for who, group in urls.items() for url in group}
    assert after == before
