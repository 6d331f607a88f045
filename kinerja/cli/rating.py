"""`kinerja rating set|import|list`: each OPD's organisation rating per period (nasional)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from kinerja.rules.policy import ORG_RATINGS

if TYPE_CHECKING:
    from kinerja.db.opd_ratings import RatingRow


def register(app: typer.Typer) -> None:
    rating_app = typer.Typer(
        help=(
            "Organisation ratings (predikat kinerja organisasi) per OPD and period: the input of "
            "the predikat distribution check of the nasional profile."
        ),
        no_args_is_help=True,
    )
    app.add_typer(rating_app, name="rating")

    @rating_app.command("set")
    def set_cmd(
        period: str = typer.Option(..., "--period", help="YYYY-MM."),
        opd: str = typer.Option(..., "--opd", help="OPD code."),
        rating: str = typer.Option(..., "--rating", help=" | ".join(ORG_RATINGS)),
        note: str = typer.Option("", "--note", help="Why (e.g. the decree that set it)."),
        by: str = typer.Option("bkd", "--by", help="Who records it."),
    ) -> None:
        """Record one OPD's rating for a period (replacing any earlier one)."""
        from kinerja.db.opd_ratings import RatingRow

        _store([RatingRow(period, opd, rating.strip().lower(), note)], by)
        typer.echo(f"{opd} {period}: {rating.strip().lower()}")

    @rating_app.command("import")
    def import_cmd(
        path: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV file."),
        by: str = typer.Option("bkd", "--by", help="Who records them."),
    ) -> None:
        """Record the ratings of a CSV with the header period,opd_code,rating[,note]."""
        from kinerja.db.opd_ratings import read_csv

        try:
            rows = read_csv(path)
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=2) from exc
        n = _store(rows, by)
        typer.echo(f"{n} ratings recorded from {path.name}")

    @rating_app.command("list")
    def list_cmd(period: str = typer.Option(..., "--period", help="YYYY-MM.")) -> None:
        """Print the period's ratings, one OPD a line."""
        from kinerja.db.opd_ratings import ratings_for

        with _session() as session:
            ratings = ratings_for(session, period)
        if not ratings:
            typer.echo(f"no ratings for {period}")
        for code, value in sorted(ratings.items()):
            typer.echo(f"{code}\t{value}")


def _session():  # type: ignore[no-untyped-def]
    from kinerja.db.migrate import upgrade
    from kinerja.db.session import make_engine, make_session_factory
    from kinerja.settings import get_settings

    url = get_settings().database_url
    upgrade(url)
    return make_session_factory(make_engine(url))()


def _store(rows: list[RatingRow], by: str) -> int:
    from kinerja.db.opd_ratings import set_ratings

    with _session() as session:
        try:
            n = set_ratings(session, rows, set_by=by)
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=2) from exc
        session.commit()
    return n
