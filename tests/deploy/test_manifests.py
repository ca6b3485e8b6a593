"""Deployment files: docker-compose.yml, deploy/k8s, deploy/gateway, deploy/Dockerfile, docs/asyncapi.yaml.

No Docker engine or cluster is needed: every file is parsed and checked against the code it
deploys (settings classes and their env prefixes, app routes, health endpoints, streams, events).
Where a tool is on the machine (nats-server from the venv, kubectl) it validates its own config.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy import asyncapi
from shared.events.streams import DEADLETTER_STREAM, DEADLETTER_SUBJECTS, DUPLICATE_WINDOW_S, STREAMS
from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
SERVICES = ("registry", "funds", "pairing", "inspection")
API_PORT = 8000
FIELDS = set(ServiceSettings.model_fields)


def settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"services.{service}.settings")
    (cls,) = [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, ServiceSettings)
              and v is not ServiceSettings]
    return cls


def env_prefix(service: str) -> str:
    return str(settings_class(service).model_config["env_prefix"])


def uvicorn_command(service: str) -> list[str]:
    return ["uvicorn", f"services.{service}.app:create_app", "--factory", "--host", "0.0.0.0", "--port",
            str(API_PORT)]


def resolve_compose_vars(value: str) -> str:
    """Compose interpolation as it happens with an empty environment: ${X:-default} -> default."""
    return re.sub(r"\$\{[A-Z0-9_]+(?::?-([^}]*))?\}", lambda m: m.group(1) or "", value)


def check_env_names(service: str, names: set[str]) -> None:
    prefix = env_prefix(service)
    fields = set(settings_class(service).model_fields)
    for name in names:
        assert name.startswith(prefix), f"{service}: {name} lacks the settings prefix {prefix}"
        field = name[len(prefix):].lower()
        assert field in fields, f"{service}: {name} is not a setting (fields: {sorted(fields)})"
    assert {prefix + "DATABASE_URL", prefix + "NATS_URL"} <= names, f"{service}: database and NATS URLs"
    assert names & {prefix + "JWT_JWKS_URL", prefix + "JWT_PUBLIC_KEY_PATH", prefix + "JWT_PUBLIC_KEY_PEM"}, (
        f"{service}: no way to verify tokens"
    )


def load_settings(service: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> ServiceSettings:
    prefix = env_prefix(service)
    for name in list(os.environ):
        if name.startswith(prefix):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return settings_class(service)()


# ----------------------------------------------------------------------------------- compose


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_infrastructure(compose: dict[str, Any]) -> None:
    svcs = compose["services"]
    assert svcs["postgres"]["image"] == "postgres:16"
    init = [v for v in svcs["postgres"]["volumes"] if "docker-entrypoint-initdb.d" in v]
    assert init, "postgres needs an init script"
    script = (ROOT / init[0].split(":")[0]).read_text()
    for svc in SERVICES:
        assert re.search(rf"CREATE DATABASE jingzhun_{svc}\b", script), svc

    nats = svcs["nats"]
    assert nats["image"].startswith("nats:2.12")  # atomic batches (shared.events.relay)
    cmd = nats["command"]
    assert "-js" in cmd
    assert cmd[cmd.index("-sd") + 1] == "/data"
    conf_mount = next(v for v in nats["volumes"] if v.endswith(":ro") and ".conf" in v)
    conf = ROOT / conf_mount.split(":")[0]
    assert re.search(r"^\s*sync_interval:\s*always\b", conf.read_text(), re.M)
    assert "/etc/nats/nats.conf" in conf_mount
    assert cmd[cmd.index("-c") + 1] == "/etc/nats/nats.conf"


def test_compose_nats_config_is_valid_for_nats_server(compose: dict[str, Any], tmp_path: Path) -> None:
    binary = shutil.which("nats-server", path=str(ROOT / ".venv" / "bin")) or shutil.which("nats-server")
    if binary is None:
        pytest.skip("nats-server is not installed")
    cmd = compose["services"]["nats"]["command"]
    args = [str(ROOT / "deploy/compose/nats.conf") if a == "/etc/nats/nats.conf" else a for a in cmd]
    args = [str(tmp_path) if a == "/data" else a for a in args]
    # the users' passwords are environment references: give it the compose environment
    env = {k: resolve_compose_vars(str(v)) for k, v in compose["services"]["nats"]["environment"].items()}
    out = subprocess.run([binary, "-t", *args], capture_output=True, text=True, timeout=30, env=env)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("service", SERVICES)
def test_compose_service(compose: dict[str, Any], service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    svc = compose["services"][service]
    assert svc["command"] == uvicorn_command(service)
    assert (ROOT / svc["build"]["dockerfile"]).is_file()
    env = {k: resolve_compose_vars(str(v)) for k, v in svc["environment"].items()}
    check_env_names(service, set(env))
    prefix = env_prefix(service)
    assert env[prefix + "DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert env[prefix + "DATABASE_URL"].endswith(f"@postgres:5432/jingzhun_{service}")
    # its own roles: the app role in PostgreSQL, its own user in NATS
    assert env[prefix + "DATABASE_URL"].startswith(f"postgresql+asyncpg://{service}_app:")
    assert re.fullmatch(rf"nats://{service}:[^@]+@nats:4222", env[prefix + "NATS_URL"])
    nats_env = compose["services"]["nats"]["environment"]
    assert env[prefix + "NATS_URL"].split(":")[2].split("@")[0] == resolve_compose_vars(
        nats_env[f"{service.upper()}_NATS_PASSWORD"])
    pg_env = compose["services"]["postgres"]["environment"]
    assert resolve_compose_vars(pg_env[f"{service.upper()}_DB_APP_PASSWORD"]) in env[prefix + "DATABASE_URL"]

    settings = load_settings(service, env, monkeypatch)
    assert settings.service_name == service
    assert settings.database_url == env[prefix + "DATABASE_URL"]
    # A laptop trial by default; JINGZHUN_ENV=production refuses the built-in placeholders.
    assert settings.environment == "development"
    monkeypatch.setenv(prefix + "ENVIRONMENT", "production")
    problems = " ".join(load_settings(service, {**env, prefix + "ENVIRONMENT": "production"},
                                      monkeypatch).production_problems())
    for name in ("DATABASE_URL", "NATS_URL", "PII_KEY", "JWT_PUBLIC_KEY_PATH"):
        assert prefix + name in problems or name == "JWT_PUBLIC_KEY_PATH", (name, problems)
    assert str(settings.jwt_public_key_path) == env[prefix + "JWT_PUBLIC_KEY_PATH"]
    assert len(settings.pii_key) >= 16

    health = " ".join(svc["healthcheck"]["test"])
    assert f"127.0.0.1:{API_PORT}/health/ready" in health
    deps = svc["depends_on"]
    assert deps[f"migrate-{service}"]["condition"] == "service_completed_successfully"
    assert deps["nats"]["condition"] == "service_healthy"
    keys = [v for v in svc["volumes"] if v.startswith("jwt-keys:")]
    assert keys
    assert env[prefix + "JWT_PUBLIC_KEY_PATH"].startswith(keys[0].split(":")[1])


@pytest.mark.parametrize("service", SERVICES)
def test_compose_migrate_one_shot(compose: dict[str, Any], service: str) -> None:
    job = compose["services"][f"migrate-{service}"]
    cmd = job["command"]
    assert cmd[:3] == ["jingzhun", "migrate", service]
    url = resolve_compose_vars(cmd[cmd.index("--database-url") + 1])
    assert url.startswith(f"postgresql+asyncpg://{service}_owner:")  # the owner migrates
    assert cmd[cmd.index("--app-role") + 1] == f"{service}_app"  # and grants the app role its rows
    assert url.endswith(f"/jingzhun_{service}")
    assert job["restart"] == "no"
    assert job["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_bind_mounts_exist_and_gateway_waits_for_services(compose: dict[str, Any]) -> None:
    for name, svc in compose["services"].items():
        for vol in svc.get("volumes", []):
            source = vol.split(":")[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{name}: {source} does not exist"
    gateway = compose["services"]["gateway"]
    assert any(v.startswith("./deploy/gateway/nginx.conf:") for v in gateway["volumes"])
    for service in SERVICES:
        assert gateway["depends_on"][service]["condition"] == "service_healthy"
    named = {v.split(":")[0] for s in compose["services"].values() for v in s.get("volumes", [])
             if not v.startswith(".")}
    assert named <= set(compose["volumes"])


# ----------------------------------------------------------------------------------- gateway


def test_gateway_routes_every_prefix_unchanged() -> None:
    conf = (ROOT / "deploy" / "gateway" / "nginx.conf").read_text()
    for service in SERVICES:
        assert settings_class(service)().service_name == service  # the app mounts /<service_name>/v1
        block = re.search(rf"location /{service}/ \{{(.*?)\}}", conf, re.S)
        assert block, f"no location /{service}/"
        body = block.group(1)
        target = re.search(r"set \$(\w+) ([\w.-]+):(\d+);", body)
        assert target
        assert target.group(2) == service
        assert int(target.group(3)) == API_PORT
        # no URI part after the host: the path reaches the service as it came (/registry/v1/...)
        assert re.search(rf"proxy_pass http://\${target.group(1)};", body)
    assert "X-Request-ID" in conf


# -------------------------------------------------------------------------------- Dockerfile


def test_dockerfile() -> None:
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    froms = re.findall(r"^FROM (\S+)", text, re.M)
    assert froms
    assert all(f == "python:3.11-slim" for f in froms)
    assert re.search(r"pip install \.(\s|$)", text)
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user
    assert user[-1].split(":")[0] not in ("root", "0")
    # what the image holds and runs: tests/deploy/test_image.py
    assert "EXPOSE 8000" in text


def test_image_reports_its_health_from_health_ready() -> None:
    """`docker run` of the image alone shows healthy only while /health/ready answers 200."""
    import http.server
    import json
    import threading

    text = (ROOT / "deploy" / "Dockerfile").read_text().replace("\\\n", " ")
    check = re.search(r"^HEALTHCHECK (.*?)CMD (\[.*\])$", text, re.M)
    assert check, "deploy/Dockerfile has no HEALTHCHECK"
    command = json.loads(check.group(2))
    assert "http://127.0.0.1:8000/health/ready" in command[-1]

    status = {"code": 200}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            self.send_response(status["code"] if self.path == "/health/ready" else 404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        probe = [sys.executable, *command[1:-1], command[-1].replace(":8000/", f":{port}/")]
        assert command[0] == "python"
        assert subprocess.run(probe, capture_output=True, timeout=30).returncode == 0
        status["code"] = 503  # database (or, on a worker, NATS) down
        assert subprocess.run(probe, capture_output=True, timeout=30).returncode != 0
    finally:
        server.shutdown()


# -------------------------------------------------------------------------------- Kubernetes


def k8s_docs() -> list[tuple[Path, dict[str, Any]]]:
    docs = []
    for path in sorted(K8S.rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is not None:
                docs.append((path, doc))
    return docs


@pytest.fixture(scope="module")
def k8s() -> dict[tuple[str, str], dict[str, Any]]:
    """(kind, name) -> manifest, for what kustomization.yaml deploys (optional/ excluded)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for path, doc in k8s_docs():
        if path.name == "kustomization.yaml" or "optional" in path.parts:
            continue
        key = (doc["kind"], doc["metadata"]["name"])
        assert key not in found, f"duplicate {key}"
        found[key] = doc
    return found


def test_every_k8s_file_parses_and_is_deployed() -> None:
    for path, doc in k8s_docs():
        if path.name == "kustomization.yaml":
            continue
        assert all((doc.get("apiVersion"), doc.get("kind"), doc["metadata"].get("name"))), path
    kust = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    listed = {K8S / r for r in kust["resources"]}
    assert all(p.is_file() for p in listed)
    files = {p for p in K8S.rglob("*.yaml") if p.name != "kustomization.yaml" and "optional" not in p.parts}
    assert files == listed, f"not in kustomization.yaml: {sorted(map(str, files - listed))}"
    for gen in kust.get("configMapGenerator", []):
        for f in gen.get("files", []):
            assert (K8S / f.split("=")[-1]).is_file()


def container(doc: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    containers = doc["spec"]["template"]["spec"]["containers"]
    return containers[0] if name is None else next(c for c in containers if c["name"] == name)


def port_number(c: dict[str, Any], port: int | str) -> int:
    if isinstance(port, int):
        return port
    return next(p["containerPort"] for p in c["ports"] if p["name"] == port)


@pytest.mark.parametrize("service", SERVICES)
def test_k8s_service_api(k8s: dict[tuple[str, str], dict[str, Any]], service: str) -> None:
    dep = k8s[("Deployment", service)]
    c = container(dep, "api")
    assert c["command"] == uvicorn_command(service)
    assert any(p["containerPort"] == API_PORT for p in c["ports"])
    ready, live = c["readinessProbe"]["httpGet"], c["livenessProbe"]["httpGet"]
    assert ready["path"] == "/health/ready"
    assert port_number(c, ready["port"]) == API_PORT
    assert live["path"] == "/health/live"
    assert port_number(c, live["port"]) == API_PORT
    assert {"cpu", "memory"} <= set(c["resources"]["requests"])
    assert "memory" in c["resources"]["limits"]
    refs = {(k, v["name"]) for e in c["envFrom"] for k, v in e.items()}
    assert refs == {("configMapRef", f"{service}-config"), ("secretRef", f"{service}-secrets")}
    pod_labels = dep["spec"]["template"]["metadata"]["labels"]
    assert dep["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()

    svc = k8s[("Service", service)]
    assert svc["spec"]["selector"].items() <= pod_labels.items()
    (port,) = svc["spec"]["ports"]
    assert port_number(c, port["targetPort"]) == API_PORT

    hpa = k8s[("HorizontalPodAutoscaler", service)]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": service}
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
    cpu = [m for m in hpa["spec"]["metrics"] if m["type"] == "Resource" and m["resource"]["name"] == "cpu"]
    assert cpu
    assert cpu[0]["resource"]["target"]["type"] == "Utilization"

    sec = dep["spec"]["template"]["spec"]["securityContext"]
    assert sec["runAsNonRoot"] is True
    assert sec["runAsUser"] != 0
    init = dep["spec"]["template"]["spec"]["initContainers"][0]
    assert init["command"][-2:] == ["/scripts/wait_for_schema.py", service]


@pytest.mark.parametrize("service", SERVICES)
def test_k8s_worker_and_migration(k8s: dict[tuple[str, str], dict[str, Any]], service: str) -> None:
    worker = container(k8s[("Deployment", f"{service}-worker")])
    assert worker["command"] == ["jingzhun", "worker", service]
    api_labels = k8s[("Service", service)]["spec"]["selector"]
    worker_labels = k8s[("Deployment", f"{service}-worker")]["spec"]["template"]["metadata"]["labels"]
    assert not api_labels.items() <= worker_labels.items(), "the Service must not route to workers"

    # the worker's own HTTP server (`jingzhun worker` serves 0.0.0.0:8000 by default): probes, metrics
    dep = k8s[("Deployment", f"{service}-worker")]
    assert port_number(worker, "http") == API_PORT
    assert worker["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert worker["livenessProbe"]["httpGet"]["path"] == "/health/live"
    annotations = dep["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(API_PORT)
    assert annotations["prometheus.io/path"] == "/metrics"
    assert "replicas" not in dep["spec"], "the worker HPA owns the replica count"
    hpa = k8s[("HorizontalPodAutoscaler", f"{service}-worker")]
    assert hpa["spec"]["scaleTargetRef"]["name"] == f"{service}-worker"
    assert hpa["spec"]["minReplicas"] >= 2
    pdb = k8s[("PodDisruptionBudget", f"{service}-worker")]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= worker_labels.items()
    assert not pdb["spec"]["selector"]["matchLabels"].items() <= k8s[("Deployment", service)]["spec"][
        "template"]["metadata"]["labels"].items()
    # API pods do not relay (nor consume): NATS is the worker's business
    config = k8s[("ConfigMap", f"{service}-config")]["data"]
    prefix = env_prefix(service)
    assert config[prefix + "RUN_RELAY"] == config[prefix + "RUN_CONSUMERS"] == "false"

    job = k8s[("Job", f"{service}-migrate")]
    c = container(job)
    command = " ".join(c["command"])
    assert f"jingzhun migrate {service} --database-url" in command
    assert f"${env_prefix(service)}MIGRATION_DATABASE_URL" in command
    # Only the Job holds the owner's credentials; the pods hold the app role's.
    refs = {(k, v["name"]) for e in c["envFrom"] for k, v in e.items()}
    assert refs == {("configMapRef", f"{service}-config"), ("secretRef", f"{service}-migrate-secrets")}
    owner_url = k8s[("Secret", f"{service}-migrate-secrets")]["stringData"][
        f"{env_prefix(service)}MIGRATION_DATABASE_URL"]
    assert owner_url.startswith(f"postgresql+asyncpg://{service}_owner:")
    for name in (service, f"{service}-worker"):
        pod = k8s[("Deployment", name)]["spec"]["template"]["spec"]
        for ctr in pod["containers"] + pod.get("initContainers", []):
            assert ("secretRef", f"{service}-migrate-secrets") not in {
                (k, v["name"]) for e in ctr["envFrom"] for k, v in e.items()}
    assert job["spec"]["template"]["spec"]["restartPolicy"] in ("OnFailure", "Never")


def test_optional_keda_scales_workers_on_every_durable_consumer() -> None:
    from shared.events.consumer import ConsumerRunner

    docs = [d for d in yaml.safe_load_all((K8S / "optional" / "keda-workers.yaml").read_text()) if d]
    by_name = {d["metadata"]["name"]: d for d in docs}
    for service in SERVICES:
        scaled = by_name[f"{service}-worker"]
        assert scaled["kind"] == "ScaledObject"
        assert scaled["spec"]["scaleTargetRef"]["name"] == f"{service}-worker"
        handlers = importlib.import_module(f"services.{service}.consumers").HANDLERS
        runner = ConsumerRunner(None, None, service=service, handlers=handlers)  # type: ignore[arg-type]
        expected = {(st, runner.durable_name(st)) for st in runner.subjects_by_stream()}
        triggers = {(t["metadata"]["stream"], t["metadata"]["consumer"]) for t in scaled["spec"]["triggers"]}
        assert triggers == expected, service


@pytest.mark.parametrize("service", SERVICES)
def test_k8s_settings(k8s: dict[tuple[str, str], dict[str, Any]], service: str,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    config = k8s[("ConfigMap", f"{service}-config")]["data"]
    secret = k8s[("Secret", f"{service}-secrets")]["stringData"]
    assert not set(config) & set(secret)
    env = {**config, **secret}
    assert all(isinstance(v, str) for v in env.values()), "ConfigMap and Secret values must be strings"
    check_env_names(service, set(env))
    prefix = env_prefix(service)
    assert {prefix + "DATABASE_URL", prefix + "PII_KEY"} <= set(secret), "credentials belong in the Secret"
    assert {prefix + "NATS_URL"} <= set(secret), "the NATS URL holds the service's NATS password"
    settings = load_settings(service, env, monkeypatch)
    assert settings.database_url.startswith(f"postgresql+asyncpg://{service}_app:")
    assert settings.database_url.endswith(f"/jingzhun_{service}")
    assert re.fullmatch(rf"nats://{service}:[^@]+@nats:4222", settings.nats_url)
    assert settings.db_app_role == f"{service}_app"
    # API pods serve HTTP only (ready on the database alone); the worker Deployment moves events.
    assert (settings.run_relay, settings.run_consumers, settings.run_jobs) == (False, False, False)
    # Production, and as committed (CHANGE-ME placeholders) the pods refuse to start ...
    assert settings.environment == "production"
    problems = settings.production_problems()
    placeholders = {
        f"{prefix}{n} still holds a CHANGE-ME placeholder" for n in ("DATABASE_URL", "NATS_URL", "PII_KEY")
    }
    assert placeholders <= set(problems)
    # ... and start once every placeholder has a real value.
    real = {k: re.sub(r"CHANGE-ME[\w-]*", "q5Wn0mQ3r8Zt2yVb7Lk4Hc9Xs1Jd6Fg", v) for k, v in env.items()}
    assert load_settings(service, real, monkeypatch).production_problems() == []


def test_k8s_postgres_via_cloudnativepg(k8s: dict[tuple[str, str], dict[str, Any]]) -> None:
    clusters = [d for (kind, _), d in k8s.items() if kind == "Cluster"]
    assert len(clusters) == 1
    cluster = clusters[0]
    assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
    assert cluster["spec"]["instances"] >= 3
    name = cluster["metadata"]["name"]
    databases = {cluster["spec"]["bootstrap"]["initdb"]["database"]}
    databases |= {d["spec"]["name"] for (kind, _), d in k8s.items()
                  if kind == "Database" and d["spec"]["cluster"]["name"] == name}
    assert databases == {f"jingzhun_{s}" for s in SERVICES}
    for service in SERVICES:
        url = k8s[("Secret", f"{service}-secrets")]["stringData"][f"{env_prefix(service)}DATABASE_URL"]
        assert f"@{name}-rw:5432/jingzhun_{service}" in url
    # Two roles per service, none a superuser: the owner of its database and the app role.
    secrets = {d["metadata"]["name"]: d["stringData"] for (kind, _), d in k8s.items()
               if kind == "Secret" and d.get("type") == "kubernetes.io/basic-auth"}
    managed = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    initdb = cluster["spec"]["bootstrap"]["initdb"]
    roles = set(managed) | {initdb["owner"]}
    assert roles == {f"{s}_{k}" for s in SERVICES for k in ("owner", "app")}
    for role in managed.values():
        assert secrets[role["passwordSecret"]["name"]]["username"] == role["name"]
        assert not any(role.get(power) for power in ("superuser", "createdb", "createrole")), role
    assert secrets[initdb["secret"]["name"]]["username"] == initdb["owner"]
    owners = {d["spec"]["name"]: d["spec"]["owner"] for (kind, _), d in k8s.items() if kind == "Database"}
    owners[initdb["database"]] = initdb["owner"]
    assert owners == {f"jingzhun_{s}": f"{s}_owner" for s in SERVICES}


def test_k8s_nats_jetstream_cluster(k8s: dict[tuple[str, str], dict[str, Any]], tmp_path: Path) -> None:
    sts = k8s[("StatefulSet", "nats")]
    assert sts["spec"]["replicas"] == 3
    assert sts["spec"]["volumeClaimTemplates"]
    conf = k8s[("ConfigMap", "nats-config")]["data"]["nats.conf"]
    assert re.search(r"jetstream\s*\{[^}]*store_dir:\s*/data", conf)
    assert re.search(r"^\s*sync_interval:\s*always\b", conf, re.M)
    assert len(re.findall(r"nats://nats-\d\.nats-headless:6222", conf)) == 3
    client = k8s[("Service", "nats")]
    assert client["spec"]["ports"][0]["port"] == 4222
    binary = shutil.which("nats-server", path=str(ROOT / ".venv" / "bin"))
    if binary:
        path = tmp_path / "nats.conf"
        path.write_text(conf.replace("/data", str(tmp_path / "js")))
        users = k8s[("Secret", "nats-users")]["stringData"]
        out = subprocess.run([binary, "-t", "-c", str(path)], capture_output=True, text=True, timeout=30,
                             env={"POD_NAME": "nats-0", "PATH": "/usr/bin:/bin", **users})
        assert out.returncode == 0, out.stdout + out.stderr

    script = " ".join(container(k8s[("Job", "nats-streams")])["args"])
    for name, subjects in {**STREAMS, DEADLETTER_STREAM: DEADLETTER_SUBJECTS}.items():
        assert f"{name}:{subjects.split('.')[0]}" in script
    assert "--replicas 3" in script
    assert "--storage file" in script
    assert DUPLICATE_WINDOW_S == 2 * 3600
    assert "--dupe-window 2h" in script


def test_k8s_network_policies_let_each_service_reach_only_dns_postgres_and_nats(
    k8s: dict[tuple[str, str], dict[str, Any]],
) -> None:
    policies = [d for (kind, _), d in k8s.items() if kind == "NetworkPolicy"]

    def selects(policy: dict[str, Any], labels: dict[str, str]) -> bool:
        sel = policy["spec"]["podSelector"]
        if not sel.get("matchLabels", {}).items() <= labels.items():
            return False
        return all(labels.get(e["key"]) in e["values"] for e in sel.get("matchExpressions", []))

    for service in SERVICES:
        pods = {
            "api": k8s[("Deployment", service)]["spec"]["template"]["metadata"]["labels"],
            "worker": k8s[("Deployment", f"{service}-worker")]["spec"]["template"]["metadata"]["labels"],
            "migrate": k8s[("Job", f"{service}-migrate")]["spec"]["template"]["metadata"]["labels"],
        }
        for role, labels in pods.items():
            egress = [p for p in policies if selects(p, labels) and "Egress" in p["spec"]["policyTypes"]]
            assert egress, f"{service} {role}: no egress policy, it may reach anything"
            reach = set()
            for policy in egress:
                for rule in policy["spec"]["egress"]:
                    assert rule.get("to"), f"{policy['metadata']['name']}: a rule without 'to' allows anyone"
                    for peer in rule["to"]:
                        target = (peer.get("podSelector", {}).get("matchLabels")
                                  or peer.get("ipBlock", {}).get("cidr"))
                        for port in rule["ports"]:
                            reach.add((str(target), port["port"]))
            wanted = {("{'k8s-app': 'kube-dns'}", 53), ("{'cnpg.io/cluster': 'jingzhun-pg'}", 5432),
                      ("{'app.kubernetes.io/name': 'nats'}", 4222)}
            if role != "migrate":
                wanted.add(("192.0.2.10/32", 443))  # the identity provider's JWKS (placeholder address)
            assert reach == wanted, (service, role, reach)
    pg_pods = {"matchLabels": {"cnpg.io/cluster": "jingzhun-pg"}}
    pg = next(p for p in policies if p["spec"]["podSelector"] == pg_pods)
    assert pg["spec"]["policyTypes"] == ["Ingress"]


def test_k8s_ingress_routes_every_prefix(k8s: dict[tuple[str, str], dict[str, Any]]) -> None:
    ingress = k8s[("Ingress", "jingzhun")]
    routes = {}
    for rule in ingress["spec"]["rules"]:
        for p in rule["http"]["paths"]:
            routes[p["path"]] = (p["pathType"], p["backend"]["service"])
    for service in SERVICES:
        path_type, backend = routes[f"/{service}/"]
        assert path_type == "Prefix"
        assert backend["name"] == service
        ports = {p["name"]: p["port"] for p in k8s[("Service", service)]["spec"]["ports"]}
        assert backend["port"].get("name") in ports or backend["port"].get("number") in ports.values()


def test_kustomize_renders() -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed")
    out = subprocess.run([kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    rendered = [d for d in yaml.safe_load_all(out.stdout) if d]
    kinds = [d["kind"] for d in rendered]
    assert kinds.count("HorizontalPodAutoscaler") == 8  # API and worker of each service
    assert kinds.count("StatefulSet") == 1
    assert all(d["metadata"].get("namespace") == "jingzhun" for d in rendered if d["kind"] != "Namespace")
    images = re.findall(r"^\s+image: (\S+)", out.stdout, re.M)
    assert "jingzhun" not in images, "the kustomization images: entry must rewrite the app image"
    # the generated scripts ConfigMap (name with a hash suffix) is what the pods mount
    scripts = next(d["metadata"]["name"] for d in rendered
                   if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("jingzhun-scripts"))
    assert out.stdout.count(f"name: {scripts}") >= 1 + 2 * len(SERVICES)


# ---------------------------------------------------------------------------------- AsyncAPI


def test_asyncapi_covers_every_event_contract() -> None:
    """docs/asyncapi.yaml has a channel per contract, its payload schema from the model, and who reads it."""
    contracts, consumers = asyncapi.load()
    doc = yaml.safe_load((ROOT / "docs" / "asyncapi.yaml").read_text(encoding="utf-8"))
    assert str(doc["asyncapi"]).startswith("3.")
    assert len(contracts) >= 40
    addresses = {c["address"] for c in doc["channels"].values()}
    schemas = doc["components"]["schemas"]
    for event_type, model in contracts.items():
        assert event_type in addresses, f"{event_type} is not in docs/asyncapi.yaml"
        data = schemas[f"data.{event_type}"]
        required = {n for n, f in model.model_fields.items() if f.is_required()}
        assert set(data.get("required", [])) == required
        service = event_type.split(".", 1)[0]
        assert STREAMS[service.upper()] == service + ".>"
        listed = doc["components"]["messages"][event_type]["x-consumers"]
        assert [(c["service"], c["durable"]) for c in listed] == consumers.get(event_type, [])
    assert set(schemas["CloudEvent"]["required"]) >= {"id", "source", "type", "subject", "time", "data"}
    # e.g. pairing reads registered households through its durable on the REGISTRY stream
    assert ("pairing", "pairing-from-registry") in consumers["registry.household.registered.v1"]
    assert doc["operations"]["pairing.receive.registry.household.registered.v1"]["action"] == "receive"


@pytest.mark.parametrize("service", SERVICES)
def test_worker_and_migrations_find_what_they_need(service: str) -> None:
    """`jingzhun worker <svc>` reads settings_class, HANDLERS, JOBS from services/<svc>/app.py."""
    module = importlib.import_module(f"services.{service}.app")
    missing = [n for n in ("settings_class", "HANDLERS", "create_app") if not hasattr(module, n)]
    assert not missing, f"services/{service}/app.py lacks {missing}: `jingzhun worker {service}` would fail"
    assert module.settings_class is settings_class(service)
    assert (ROOT / "services" / service / "migrations" / "env.py").is_file()


def test_published_event_types_have_contracts_and_are_documented() -> None:
    """Every event type named in services/ has a contract, and every contract a row in EVENTS.md."""
    contracts, _ = asyncapi.load()
    literal = re.compile(r"[\"']((?:registry|funds|pairing|inspection)\.[a-z0-9_.]+\.v\d+)[\"']")
    in_code = {m for p in (ROOT / "services").rglob("*.py") for m in literal.findall(p.read_text())}
    missing = sorted(in_code - set(contracts))
    assert not missing, f"event types in services/ without a contract (services/<svc>/events.py): {missing}"
    events_md = (ROOT / "docs" / "EVENTS.md").read_text(encoding="utf-8")
    undocumented = sorted(t for t in contracts if f"| {t} |" not in events_md)
    assert not undocumented, "event contracts without a row in docs/EVENTS.md: " + ", ".join(undocumented)


# -------------------------------------------------------------------------------- OPERATIONS


def test_operations_doc_names_every_setting_and_metric() -> None:
    doc = (ROOT / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
    for field in FIELDS:
        assert f"_{field.upper()}" in doc, f"docs/OPERATIONS.md does not describe <SERVICE>_{field.upper()}"
    for service in SERVICES:
        assert env_prefix(service) in doc
    source = (ROOT / "shared" / "observability.py").read_text()
    metrics = re.findall(r"(?:Counter|Histogram|Gauge|Summary)\(\s*\"(\w+)\"", source)
    assert metrics
    for metric in metrics:
        assert metric in doc, f"docs/OPERATIONS.md does not mention the metric {metric}"


# ------------------------------------------------------------------- gateway, really running


def test_gateway_with_nginx_passes_paths_and_request_ids(tmp_path: Path) -> None:
    """Run deploy/gateway/nginx.conf (upstreams pointed at a local echo server) when nginx exists."""
    import http.client
    import json
    import socket
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.skip("nginx is not installed")

    class Echo(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"path": self.path, "request_id": self.headers.get("X-Request-ID")}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    echo = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=echo.serve_forever, daemon=True).start()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        gw_port = s.getsockname()[1]

    conf = (ROOT / "deploy" / "gateway" / "nginx.conf").read_text()
    conf = re.sub(r"set \$(\w+) [\w.-]+:\d+;", rf"set $\1 127.0.0.1:{echo.server_port};", conf)
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{gw_port};").replace("/tmp/", f"{tmp_path}/")
    (tmp_path / "nginx.conf").write_text(conf)
    args = [nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", gw_port), timeout=0.2).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "nginx exited"
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)

        def get(path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
            conn = http.client.HTTPConnection("127.0.0.1", gw_port, timeout=5)
            conn.request("GET", path, headers=headers or {})
            r = conn.getresponse()
            return r.status, r.read()

        for service in SERVICES:
            status, body = get(f"/{service}/v1/things?limit=5", {"X-Request-ID": f"rid-{service}"})
            assert status == 200
            seen = json.loads(body)
            assert seen == {"path": f"/{service}/v1/things?limit=5", "request_id": f"rid-{service}"}
        status, body = get("/funds/v1/plans")
        assert re.fullmatch(r"[0-9a-f]{32}", json.loads(body)["request_id"]), "gateway makes a request id"
        assert get("/healthz")[0] == 200
        assert get("/health/ready")[0] == 404  # internal endpoints are not routed
        assert get("/registryx/v1")[0] == 404
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()
        echo.shutdown()
        echo.server_close()


# ------------------------------------------- schema validation (when the validators are installed)


def test_compose_file_matches_the_compose_spec() -> None:
    """The Compose Specification's JSON schema, as vendored by check-jsonschema (optional dev tool)."""
    pytest.importorskip("check_jsonschema")
    jsonschema = pytest.importorskip("jsonschema")
    import json
    from importlib.resources import files

    vendor = files("check_jsonschema.builtin_schemas.vendor")
    schema = json.loads(vendor.joinpath("compose-spec.json").read_text())
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(data), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_k8s_manifests_match_the_kubernetes_schemas() -> None:
    """Strict schema validation of every core resource (kubernetes-validate, optional dev tool)."""
    kv = pytest.importorskip("kubernetes_validate")
    checked = 0
    for path, doc in k8s_docs():
        if path.name == "kustomization.yaml" or doc["apiVersion"].startswith(
            ("postgresql.cnpg.io/", "keda.sh/")
        ):
            continue  # CloudNativePG's and KEDA's custom resources have no bundled schema
        try:
            kv.validate(doc, "1.30.0", strict=True)
        except kv.ValidationError as exc:
            pytest.fail(f"{path.relative_to(ROOT)} {doc['kind']}/{doc['metadata']['name']}: {exc}")
        checked += 1
    assert checked >= 30
