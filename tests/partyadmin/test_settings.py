"""Production settings: `check --deploy` is clean with a production environment; the API schema validates."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k3y-" + "x9!Qa7#" * 8,
    "FIELD_ENCRYPTION_KEYS": "2:0123456789abcdef0123456789abcdef,1:00112233445566778899aabbccddeeff",
    "BLIND_INDEX_KEY": "another-long-secret-for-the-blind-index",
    "ALLOWED_HOSTS": "partyadmin.example.gov.cn",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("TESTING", "DEBUG", "DEMO", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True,
        timeout=120, check=False,
    )


def test_check_deploy_is_clean_in_production():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_openapi_schema_is_served_and_names_both_collections(client, alice):
    client.force_login(alice)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/organizations/" in response.content and b"/api/v1/members/" in response.content


@pytest.mark.django_db
def test_api_docs_use_locally_served_assets(client, alice):
    client.force_login(alice)
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "http://" not in html and "https://" not in html
