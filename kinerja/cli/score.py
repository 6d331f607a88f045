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
    ) -> None:
        """Score every employee and propose candidates (no Prefect, no database)."""
        from kinerja.rules.csv_month import CsvError, read_month_csv
        from kinerja.rules.policy import PolicyError, load_policy
        from kinerja.rules.scoring import score_month
        from kinerja.rules.selection import propose
        from kinerja.settings import get_settings

        try:
            pol = load_policy(policy or get_settings().policy)
            month = read_month_csv(data, period)
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
