"""The job queue reaches the database the site uses, with every setting of its URL."""

from __future__ import annotations

from psycopg.conninfo import conninfo_to_dict

from civic.core.jobs import conninfo


def test_the_queue_keeps_the_urls_settings_spaces_and_password_included() -> None:
    url = ("postgresql+psycopg://civic:p%40ss%20w%2Bd@db.example.org:5433/civic"
           "?options=-csearch_path%3Dcivic%20-cstatement_timeout%3D5000&sslmode=require")
    assert conninfo_to_dict(conninfo(url)) == {
        "host": "db.example.org", "port": "5433", "dbname": "civic", "user": "civic",
        "password": "p@ss w+d", "sslmode": "require",
        "options": "-csearch_path=civic -cstatement_timeout=5000"}


def test_a_url_without_host_or_password_leaves_them_to_libpq() -> None:
    assert conninfo_to_dict(conninfo("postgresql+psycopg:///civic")) == {"dbname": "civic"}
