"""Configuration from the environment (README, Configuration)."""

from __future__ import annotations

from pathlib import Path


def test_a_relative_instance_folder_is_taken_from_the_working_directory(tmp_path, monkeypatch):
    from app import create_app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEPORTAL_INSTANCE", "instance-here")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "TESTING": True})
    assert Path(app.instance_path) == tmp_path / "instance-here"
    assert (tmp_path / "instance-here" / "secret_key").exists()
