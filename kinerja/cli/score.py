"""`kinerja score`: score a month from a folder of CSV files and write scores and candidates."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("score")
    def score_cmd(
        data: Path = typer.Option(..., "--data", help="Folder with the month's CSV files."),
        period: str = typer.Option(..., "--period", help="Month to score, YYYY-MM."),
        policy: str = typer.Option(None, "--policy", help="Profile name or YAML path."),
        out: Path = typer.Option(Path("out"), "--out", help="Where the CSV files are written."),
        delimiter: str = typer.Option(
            None, "--delimiter", help="CSV delimiter (default: sniffed from each file)."
        ),
        decimal: str = typer.Option(
            None, "--decimal", help="Decimal separator , or . (default: from the numbers)."
        ),
        date_format: str = typer.Option(
            None,
            "--date-format",
            help="dd/mm/yyyy, mm/dd/yyyy or yyyy-mm-dd (default: from the dates).",
        ),
    ) -> None:
        """Score every employee and propose candidates (no Prefect, no database).

        The folder holds <kind>.csv or <kind>.xlsx, read and checked as `gather` reads and
        checks a csv/xlsx source: what gathering would quarantine is refused here.
        """
        from pydantic import ValidationError

        from kinerja.rules.csv_month import CsvError
        from kinerja.rules.policy import PolicyError, load_policy
        from kinerja.rules.scoring import score_month
        from kinerja.rules.selection import propose
        from kinerja.settings import get_settings
        from kinerja.sources.config import Dialect
        from kinerja.sources.month_files import read_month_files

        try:
            given = {"delimiter": delimiter, "decimal": decimal, "date_format": date_format}
            dialect = Dialect.model_validate({k: v for k, v in given.items() if v is not None})
        except ValidationError as exc:
            problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
            typer.echo(f"error: {problems}", err=True)
            raise typer.Exit(code=2) from exc
        try:
            pol = load_policy(policy or get_settings().policy)
            month = read_month_files(data, period, pol, dialect)
            scores = score_month(month, pol)
        except (CsvError, PolicyError, ValueError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=2) from exc
        try:
            proposal = propose(scores, pol, month.unassessable_opds, month.employees)
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=2) from exc
        candidates = proposal.candidates
        out.mkdir(parents=True, exist_ok=True)
        scores.to_csv(out / "scores.csv", index=False)
        candidates.to_csv(out / "candidates.csv", index=False)
        proposal.notes.to_csv(out / "proposal_notes.csv", index=False)
        insufficient = int((~scores["sufficient"]).sum())
        typer.echo(
            f"{period} ({pol.name}): {len(scores)} employees scored, {insufficient} with too "
            f"little data, {len(candidates)} candidates in "
            f"{candidates['scope_code'].nunique()} scopes -> {out}/scores.csv, "
            f"{out}/candidates.csv, {out}/proposal_notes.csv (why each review has as many names)"
        )
