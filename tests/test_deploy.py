"""The deployment files agree with the route table, and the tools that read them accept them.

No container engine or cluster here: docker-compose validates the compose file, the
kubernetes-validate package checks the manifests against the Kubernetes schemas, nginx
checks the gateway config, and the consistency tests below fail when a service, worker,
queue, port or route is in the deployables table (shared/deployables.py) or stacks/routes.py
but not in docker-compose.yml, deploy/k8s or the gateway config, or the other way round
(workers' metrics port included).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

from shared import signing
from shared.deployables import queue, queue_services
from shared.instrumentation import worker_metrics
from shared.settings import environment
from stacks import gateway
from stacks.launcher import Stack
from stacks.launcher.databases import per_service_database_url
from stacks.routes import MICRO_SERVICES, MONOLITH, PUBLIC_ROUTES, service_env_urls

# Files and config checks: no database involved (run once, see Makefile).
pytestmark = pytest.mark.any_database

PROJECT_DIR = Path(__file__).resolve().parent.parent
COMPOSE_FILE = PROJECT_DIR / "docker-compose.yml"
K8S_DIR = PROJECT_DIR / "deploy" / "k8s"
ENTRYPOINT = PROJECT_DIR / "deploy" / "docker-entrypoint.sh"
# The schemas the manifests must satisfy (kubernetes-validate ships them per version).
KUBERNETES_VERSION = "1.35"
IMAGE = "blog-twice"
ALL_SPECS = (MONOLITH, *MICRO_SERVICES)
# What runs beside the deployables: the broker, the databases, micro's gateway.
INFRASTRUCTURE = {"redis", "postgres", "gateway"}
# The database every deployable that owns data gets, by the launcher's naming.
DATABASE_BASE_URL = "postgres://blog@postgres:5432/blog"


def database_url(name: str) -> str:
    return per_service_database_url(DATABASE_BASE_URL, service=name, run_dir=PROJECT_DIR)


def expected_workloads() -> dict[str, tuple[str, str]]:
    """Every process the route table says must run: name -> (deployable, role)."""
    workloads = {}
    for spec in ALL_SPECS:
        workloads[spec.name] = (spec.name, "web")
        if spec.has_worker:
            workloads[f"{spec.name}-worker"] = (spec.name, "worker")
        if spec.has_database:
            workloads[f"{spec.name}-migrate"] = (spec.name, "migrate")
    return workloads


def spec_named(name: str):
    return next(spec for spec in ALL_SPECS if spec.name == name)


# -- docker-compose.yml ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def compose_env_file() -> dict[str, str]:
    lines = (PROJECT_DIR / "deploy" / "compose" / "dev.env").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line and not line.startswith("#")]
    return dict(pairs)


def test_docker_compose_accepts_the_compose_file():
    binary = shutil.which("docker-compose")
    if not binary:
        pytest.skip("docker-compose is not installed (Debian: apt-get install docker-compose)")
    result = subprocess.run(
        [binary, "--file", str(COMPOSE_FILE), "config", "--quiet"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_compose_runs_every_web_worker_and_migration_of_the_route_table_and_nothing_else(compose):
    services = compose["services"]
    workloads = {
        name: (service["environment"]["BLOG_SERVICE"], service["command"][0])
        for name, service in services.items()
        if name not in INFRASTRUCTURE
    }
    assert workloads == expected_workloads()
    assert set(services) >= INFRASTRUCTURE
    assert all(services[name]["image"].startswith(f"{IMAGE}:") for name in workloads)


def test_compose_publishes_each_web_process_on_the_launchers_port(compose):
    for name, (deployable, role) in expected_workloads().items():
        ports = compose["services"][name].get("ports", [])
        if role == "web":
            offset = spec_named(deployable).port_offset
            assert ports == [f"127.0.0.1:{8000 + offset}:{gateway.CONTAINER_PORT}"], name
        else:
            assert ports == [], f"{name} is not a web process and publishes no port"


def test_compose_workers_serve_their_own_metrics_on_the_compose_network(compose):
    metrics_port = str(worker_metrics.CONTAINER_PORT)
    assert compose_env_file()["WORKER_METRICS_PORT"] == metrics_port
    for name, (_, role) in expected_workloads().items():
        exposed = compose["services"][name].get("expose", [])
        assert exposed == ([metrics_port] if role == "worker" else []), name


def test_compose_gives_each_database_owner_its_database_migrated_before_it_starts(compose):
    services = compose["services"]
    for name, (deployable, role) in expected_workloads().items():
        environment = services[name]["environment"]
        if not spec_named(deployable).has_database:
            assert "DATABASE_URL" not in environment, name
            continue
        assert environment["DATABASE_URL"] == database_url(deployable), name
        if role != "migrate":
            condition = services[name]["depends_on"][f"{deployable}-migrate"]["condition"]
            assert condition == "service_completed_successfully", name
    databases = services["postgres"]["environment"]["BLOG_DATABASES"].split()
    assert sorted(databases) == sorted(spec.name for spec in ALL_SPECS if spec.has_database)


def test_compose_starts_workers_on_a_healthy_redis_and_checks_their_health(compose):
    for name, (_, role) in expected_workloads().items():
        service = compose["services"][name]
        if role == "worker":
            assert service["depends_on"]["redis"]["condition"] == "service_healthy", name
            assert "/tmp/blog-worker-ready" in service["healthcheck"]["test"], name
        if role == "migrate":
            assert service["restart"] == "no" and service["healthcheck"]["disable"], name
        if role == "web":
            assert "/health/ready/" in " ".join(service["healthcheck"]["test"]), name
    assert "healthcheck" in compose["services"]["redis"]
    assert "healthcheck" in compose["services"]["postgres"]


def test_compose_services_find_each_other_by_name_and_keep_no_secret_inline(compose):
    env_file = compose_env_file()
    names = {spec.name: f"http://{spec.name}:{gateway.CONTAINER_PORT}" for spec in MICRO_SERVICES}
    urls = {key: value for key, value in env_file.items() if key.endswith("_URL")}
    assert urls == service_env_urls(names), "REDIS_URL is each service's own (below)"
    for name, service in compose["services"].items():
        inline = service.get("environment", {})
        assert not {"DJANGO_SECRET_KEY", "INTERNAL_TOKEN", "POSTGRES_PASSWORD"} & set(inline)
        assert urlsplit(inline.get("DATABASE_URL", "")).password is None, name
        redis_password = urlsplit(inline.get("REDIS_URL", "")).password
        assert redis_password is None or redis_password.startswith("${"), name
    assert env_file["PGPASSWORD"] == env_file["POSTGRES_PASSWORD"]


def test_compose_gateway_runs_the_generated_config_after_the_routed_services(compose):
    service = compose["services"]["gateway"]
    assert "./deploy/nginx/gateway.conf:/etc/nginx/conf.d/default.conf:ro" in service["volumes"]
    assert set(service["depends_on"]) == set(gateway.routed_services())
    assert all(d["condition"] == "service_healthy" for d in service["depends_on"].values())


# -- deploy/k8s -----------------------------------------------------------------------------
def k8s_files() -> list[Path]:
    return sorted(path for path in K8S_DIR.glob("*.yaml") if path.name != "kustomization.yaml")


@pytest.fixture(scope="module")
def manifests() -> list[dict]:
    return [doc for path in k8s_files() for doc in yaml.safe_load_all(path.read_text()) if doc]


def of_kind(manifests: list[dict], *kinds: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in manifests if doc["kind"] in kinds}


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def app_container(workload: dict) -> dict:
    return pod_spec(workload)["containers"][0]


def env_of(container: dict) -> dict[str, str]:
    return {item["name"]: item.get("value") for item in container.get("env", [])}


def test_every_manifest_validates_against_the_kubernetes_schemas_strictly(manifests):
    errors = []
    for doc in manifests:
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = "/".join(str(part) for part in error.caught.absolute_path)
            errors.append(f"{doc['kind']} {doc['metadata']['name']}: {path}: {error.message}")
    assert errors == []
    assert len(manifests) > 20


def test_strict_validation_rejects_an_unknown_field(manifests):
    deployment = json.loads(json.dumps(of_kind(manifests, "Deployment")["posts"]))
    app_container(deployment)["livenessprobe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_kustomization_applies_every_manifest_in_the_namespace(manifests):
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(path.name for path in k8s_files())
    namespaced = [doc for doc in manifests if doc["kind"] != "Namespace"]
    assert {doc["metadata"].get("namespace") for doc in namespaced} == {"blog"}
    assert list(of_kind(manifests, "Namespace")) == ["blog"]


def test_k8s_runs_every_web_worker_and_migration_of_the_route_table_and_nothing_else(manifests):
    workloads = of_kind(manifests, "Deployment", "Job", "StatefulSet")
    ours = {
        name: (env_of(app_container(doc))["BLOG_SERVICE"], app_container(doc)["args"][0])
        for name, doc in workloads.items()
        if app_container(doc)["image"].split(":")[0] == IMAGE
    }
    assert ours == expected_workloads()
    assert set(workloads) - set(ours) == INFRASTRUCTURE
    jobs = of_kind(manifests, "Job")
    assert set(jobs) == {name for name, (_, role) in ours.items() if role == "migrate"}


def test_k8s_services_expose_each_web_process_on_the_container_port(manifests):
    services = of_kind(manifests, "Service")
    deployments = of_kind(manifests, "Deployment")
    assert set(services) == {spec.name for spec in ALL_SPECS} | INFRASTRUCTURE
    for name in [spec.name for spec in ALL_SPECS] + ["gateway"]:
        service, deployment = services[name], deployments[name]
        assert service["spec"]["type"] == "ClusterIP"
        assert service["spec"]["ports"] == [
            {"name": "http", "port": gateway.CONTAINER_PORT, "targetPort": "http"}
        ]
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= pod_labels.items(), name
        ports = app_container(deployment)["ports"]
        assert ports == [{"name": "http", "containerPort": gateway.CONTAINER_PORT}], name


def test_k8s_web_and_worker_pods_are_annotated_for_prometheus_on_their_metrics_port(manifests):
    settings = of_kind(manifests, "ConfigMap")["blog-settings"]["data"]
    assert settings["WORKER_METRICS_PORT"] == str(worker_metrics.CONTAINER_PORT)
    deployments = of_kind(manifests, "Deployment")
    metrics_ports = {"web": ("http", gateway.CONTAINER_PORT)}
    metrics_ports["worker"] = ("metrics", worker_metrics.CONTAINER_PORT)
    for name, (_, role) in expected_workloads().items():
        if role == "migrate":
            continue
        container = app_container(deployments[name])
        port_name, port = metrics_ports[role]
        assert container["ports"] == [{"name": port_name, "containerPort": port}], name
        annotations = deployments[name]["spec"]["template"]["metadata"]["annotations"]
        assert annotations == {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": str(port),
            "prometheus.io/path": "/metrics",
        }, name
        if role == "web":  # Prometheus asks for the pod by its address: an allowed host
            pod_ip = [item for item in container["env"] if item["name"] == "POD_IP"]
            assert pod_ip == [
                {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}
            ], name


def test_the_prometheus_scrape_job_keeps_annotated_blog_pods_and_sends_the_token():
    config = yaml.safe_load(
        (PROJECT_DIR / "deploy" / "prometheus" / "scrape-config.yaml").read_text()
    )
    (job,) = config["scrape_configs"]
    assert job["kubernetes_sd_configs"] == [{"role": "pod", "namespaces": {"names": ["blog"]}}]
    assert job["authorization"]["type"] == "Bearer"
    assert job["authorization"]["credentials_file"].endswith("/INTERNAL_TOKEN")
    relabels = {tuple(rule["source_labels"]): rule for rule in job["relabel_configs"]}
    keep = relabels[("__meta_kubernetes_pod_annotation_prometheus_io_scrape",)]
    assert (keep["action"], keep["regex"]) == ("keep", "true")
    port = relabels[("__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port")]
    assert port["target_label"] == "__address__"
    assert re.sub(port["regex"], port["replacement"].replace("$", "\\"), "10.0.0.7:8000;9464") == (
        "10.0.0.7:9464"
    )


def test_k8s_pods_have_health_probes_and_resources(manifests):
    for name, doc in of_kind(manifests, "Deployment", "Job", "StatefulSet").items():
        spec = pod_spec(doc)
        for container in spec.get("initContainers", []) + spec["containers"]:
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), name
            assert {"cpu", "memory"} <= set(resources["limits"]), name
        if doc["kind"] == "Job":
            continue
        container = spec["containers"][0]
        probes = {"startupProbe", "readinessProbe", "livenessProbe"}
        assert probes <= set(container), name
        assert "initialDelaySeconds" not in container["livenessProbe"], f"{name}: startupProbe"
        ours = container["image"].split(":")[0] == IMAGE
        if ours and container.get("ports", [{}])[0].get("name") == "http":
            # Liveness checks the process alone (a database outage restarts nothing);
            # readiness, its database too.
            paths = {probe: container[probe]["httpGet"]["path"] for probe in probes}
            assert paths == {
                "startupProbe": "/health/live/",
                "livenessProbe": "/health/live/",
                "readinessProbe": "/health/ready/",
            }, name
            assert {container[probe]["httpGet"]["port"] for probe in probes} == {"http"}, name


def test_k8s_gives_each_database_owner_its_database_and_waits_for_its_migrations(manifests):
    workloads = of_kind(manifests, "Deployment", "Job")
    for name, (deployable, role) in expected_workloads().items():
        doc = workloads[name]
        env = env_of(app_container(doc))
        init = [c["args"][0] for c in pod_spec(doc).get("initContainers", [])]
        if not spec_named(deployable).has_database:
            assert "DATABASE_URL" not in env and init == [], name
            continue
        assert env["DATABASE_URL"] == database_url(deployable), name
        assert init == ([] if role == "migrate" else ["wait-for-migrations"]), name
    postgres = app_container(of_kind(manifests, "StatefulSet")["postgres"])
    databases = env_of(postgres)["BLOG_DATABASES"].split()
    assert sorted(databases) == sorted(spec.name for spec in ALL_SPECS if spec.has_database)


def test_k8s_postgres_creates_databases_with_the_compose_init_script(manifests):
    script = (PROJECT_DIR / "deploy" / "compose" / "postgres-init.sh").read_text()
    init = of_kind(manifests, "ConfigMap")["postgres-init"]["data"]
    assert init == {"10-blog-databases.sh": script}, "copy deploy/compose/postgres-init.sh"


def test_k8s_settings_name_every_service_and_keep_secrets_in_the_secret(manifests):
    settings = of_kind(manifests, "ConfigMap")["blog-settings"]["data"]
    names = {spec.name: f"http://{spec.name}:{gateway.CONTAINER_PORT}" for spec in MICRO_SERVICES}
    urls = {key: value for key, value in settings.items() if key.endswith("_URL")}
    assert urls == service_env_urls(names), "REDIS_URL is each service's own (below)"
    hosts = set(settings["DJANGO_ALLOWED_HOSTS"].split(","))
    assert {spec.name for spec in ALL_SPECS} | {"blog.local", "localhost"} <= hosts
    secret = k8s_secrets_example()
    assert set(secret) == {"DJANGO_SECRET_KEY", "INTERNAL_TOKEN", "PGPASSWORD", "EVENT_VERIFY_KEYS"}
    assert not set(secret) & set(settings)


def k8s_secrets_example() -> dict[str, str]:
    lines = (K8S_DIR / "secrets.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def k8s_event_keys_example() -> dict[str, str]:
    lines = (K8S_DIR / "event-keys.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_each_producer_reads_only_its_own_signing_key(manifests):
    """Every container of posts, comments and moderation (their migrate Jobs' too: the
    settings need it) gets EVENT_SIGNING_KEY from its own key of blog-event-keys; no other
    container gets one, and production refuses every shipped placeholder."""
    assert set(k8s_event_keys_example()) == {
        f"EVENT_SIGNING_KEY_{service.upper()}" for service in signing.SIGNERS
    }
    seen = set()
    for name, doc in of_kind(manifests, "Deployment", "Job", "StatefulSet").items():
        spec = pod_spec(doc)
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            env = {item["name"]: item for item in container.get("env", [])}
            service = env.get("BLOG_SERVICE", {}).get("value")
            if service in signing.SIGNERS:
                ref = env["EVENT_SIGNING_KEY"]["valueFrom"]["secretKeyRef"]
                assert ref == {
                    "name": "blog-event-keys",
                    "key": f"EVENT_SIGNING_KEY_{service.upper()}",
                }, name
                seen.add(service)
            else:
                assert "EVENT_SIGNING_KEY" not in env, name
    assert seen == set(signing.SIGNERS)


def test_production_refuses_the_shipped_verify_keys(monkeypatch):
    monkeypatch.setenv("DJANGO_ENV", "production")
    monkeypatch.setenv("EVENT_VERIFY_KEYS", k8s_secrets_example()["EVENT_VERIFY_KEYS"])

    with pytest.raises(ImproperlyConfigured, match="EVENT_VERIFY_KEYS is a placeholder"):
        environment.event_verify_keys()


@pytest.mark.parametrize("name", sorted(k8s_event_keys_example()))
def test_production_refuses_each_shipped_signing_key(monkeypatch, name):
    monkeypatch.setenv("DJANGO_ENV", "production")
    monkeypatch.setenv("EVENT_SIGNING_KEY", k8s_event_keys_example()[name])
    service = name.removeprefix("EVENT_SIGNING_KEY_").lower()

    with pytest.raises(ImproperlyConfigured, match="EVENT_SIGNING_KEY is a placeholder"):
        environment.event_signing_key(service)


def test_k8s_secrets_come_from_an_untracked_env_file_through_a_secret_generator(manifests):
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())
    generators = {generator["name"]: generator for generator in kustomization["secretGenerator"]}
    assert set(generators) == {"blog-secrets", "blog-redis", "blog-event-keys"}
    env_files = ("secrets.env", "redis.env", "event-keys.env")
    for generator, env_file in zip(generators.values(), env_files, strict=True):
        assert generator["namespace"] == "blog" and generator["envs"] == [env_file]
        assert generator["options"]["disableNameSuffixHash"] is True  # the pods name it
        ignored = subprocess.run(
            ["git", "check-ignore", "-q", str(K8S_DIR / env_file)], cwd=PROJECT_DIR
        )
        assert ignored.returncode == 0, f"deploy/k8s/{env_file} must be in .gitignore"
    assert "Secret" not in {doc["kind"] for doc in manifests}, "no Secret in a tracked file"
    referenced = {
        source["secretRef"]["name"]
        for doc in of_kind(manifests, "Deployment", "Job", "StatefulSet").values()
        for container in pod_spec(doc)["containers"]
        for source in container.get("envFrom", [])
        if "secretRef" in source
    }
    # blog-redis: Redis's own pod alone (each service reads only its key: secretKeyRef).
    assert referenced == {"blog-secrets", "blog-redis"}


PRODUCTION_CHECKS = {
    "DJANGO_SECRET_KEY": environment.secret_key,
    "INTERNAL_TOKEN": environment.internal_token,
    "PGPASSWORD": environment.check_database_password,
}


def test_the_shipped_placeholder_secrets_do_not_pass_the_production_checks(manifests, monkeypatch):
    """The Secret's stand-ins (and compose's development values, were compose switched to
    production) make every deployable refuse to start, naming the variable."""
    from django.core.exceptions import ImproperlyConfigured

    # EVENT_VERIFY_KEYS: test_production_refuses_the_shipped_verify_keys (compose runs on
    # the development keys).
    k8s = {k: v for k, v in k8s_secrets_example().items() if k != "EVENT_VERIFY_KEYS"}
    compose = {name: compose_env_file()[name] for name in PRODUCTION_CHECKS}
    monkeypatch.setenv("DJANGO_ENV", "production")
    for shipped in (k8s, compose):
        assert set(shipped) == set(PRODUCTION_CHECKS)
        for name, value in shipped.items():
            monkeypatch.setenv(name, value)
            with pytest.raises(ImproperlyConfigured, match=f"^{name} is a placeholder"):
                PRODUCTION_CHECKS[name]()


def test_k8s_autoscales_the_comments_web_and_worker(manifests):
    autoscalers = of_kind(manifests, "HorizontalPodAutoscaler")
    deployments = of_kind(manifests, "Deployment")
    targets = {doc["spec"]["scaleTargetRef"]["name"] for doc in autoscalers.values()}
    assert targets == {"comments", "comments-worker"}
    for target in targets:
        # A fixed replica count would undo the autoscaler on every `kubectl apply`.
        assert "replicas" not in deployments[target]["spec"], target


def test_k8s_every_deployment_that_can_run_several_pods_has_a_disruption_budget(manifests):
    deployments = of_kind(manifests, "Deployment")
    autoscaled = {
        doc["spec"]["scaleTargetRef"]["name"]: doc["spec"]["maxReplicas"]
        for doc in of_kind(manifests, "HorizontalPodAutoscaler").values()
    }
    several = {
        name
        for name, doc in deployments.items()
        if doc["spec"].get("replicas", 1) > 1 or autoscaled.get(name, 1) > 1
    }
    budgets = of_kind(manifests, "PodDisruptionBudget")
    covered = {}
    for budget in budgets.values():
        selector = budget["spec"]["selector"]["matchLabels"]
        matched = [
            name
            for name, doc in deployments.items()
            if selector.items() <= doc["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert len(matched) == 1, budget["metadata"]["name"]
        covered[matched[0]] = budget["spec"]
    assert set(covered) == several
    assert all(spec == {"maxUnavailable": 1, **spec} for spec in covered.values())


def test_k8s_every_pod_runs_unprivileged_under_the_runtime_default_seccomp(manifests):
    for name, doc in of_kind(manifests, "Deployment", "Job", "StatefulSet").items():
        pod = pod_spec(doc)
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] > 0, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod.get("initContainers", []) + pod["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name


def test_k8s_migration_jobs_survive_a_re_apply_with_a_new_image(manifests):
    """A Job's pod template is immutable: a finished Job is deleted after a while, so that
    the next apply (with a new image tag) creates it again instead of being refused."""
    for name, job in of_kind(manifests, "Job").items():
        assert 0 <= job["spec"]["ttlSecondsAfterFinished"] <= 600, name


def test_k8s_ingress_sends_the_micro_host_to_the_gateway_and_the_monolith_host_to_it(manifests):
    ingress = of_kind(manifests, "Ingress")["blog"]
    assert ingress["spec"]["ingressClassName"] == "nginx"
    backends = {
        rule["host"]: [
            (path["path"], path["pathType"], path["backend"]["service"]["name"])
            for path in rule["http"]["paths"]
        ]
        for rule in ingress["spec"]["rules"]
    }
    assert backends == {
        "blog.local": [("/", "Prefix", "gateway")],
        "monolith.blog.local": [("/", "Prefix", "monolith")],
    }
    body_limit = ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"]
    # Twice the services' limit, in nginx's whole kibibytes (the gateway's own, in bytes).
    assert int(body_limit.removesuffix("k")) == -(-2 * gateway.APP_MAX_BODY_BYTES // 1024)


def test_k8s_gateway_runs_the_same_generated_config_as_compose(manifests):
    configmap = of_kind(manifests, "ConfigMap")["gateway-config"]
    assert configmap["data"] == {"gateway.conf": gateway.compose_config()}, (
        "run: python -m stacks.gateway --write"
    )
    deployment = of_kind(manifests, "Deployment")["gateway"]
    assert {"name": "config", "configMap": {"name": "gateway-config"}} in pod_spec(deployment)[
        "volumes"
    ]


# -- the gateway config ---------------------------------------------------------------------
def routed_by(config: str, method: str, path: str) -> str | None:
    """Which upstream the gateway config sends a request to (None: answered by nginx)."""
    maps = {
        variable: dict(re.findall(r"^\s+(\S+) (\S+);$", body, flags=re.M))
        for variable, body in re.findall(
            r"^map \$request_method (\$\w+) \{\n(.*?)^\}", config, flags=re.M | re.S
        )
    }
    locations = re.findall(r"^    location (=|~) (\S+) \{\n(.*?)^    \}", config, flags=re.M | re.S)
    for kind, pattern, body in sorted(locations, key=lambda location: location[0] != "="):
        if (kind == "=" and path == pattern) or (kind == "~" and re.search(pattern, path)):
            target = re.search(r"set \$blog_service (\S+);", body)
            if not target:
                return None
            name = target.group(1)
            return maps[name].get(method, maps[name]["default"]) if name in maps else name
    return None


def upstream_servers(config: str) -> dict[str, str]:
    return dict(re.findall(r"^upstream (\w+) \{\n\s+server (\S+);", config, flags=re.M))


def sample_path(path: str) -> str:
    return re.sub(r"\{\w+\}", "7", path)


def test_the_committed_gateway_config_is_the_one_the_route_table_renders():
    committed = gateway.GATEWAY_CONF.read_text()
    assert committed == gateway.compose_config(), "run: python -m stacks.gateway --write"


def test_the_gateway_sends_each_public_operation_to_the_service_the_route_table_names():
    config = gateway.GATEWAY_CONF.read_text()
    assert set(gateway.OPERATION_PATHS) == set(PUBLIC_ROUTES)
    for operation, (method, path) in gateway.OPERATION_PATHS.items():
        service = routed_by(config, method, sample_path(path))
        assert service == PUBLIC_ROUTES[operation]["micro"], operation
    assert routed_by(config, "GET", "/internal/events/") is None
    assert routed_by(config, "GET", "/api/posts/7/comments/extra/") is None


def test_the_gateway_has_an_upstream_for_each_routed_service_and_no_other():
    servers = upstream_servers(gateway.GATEWAY_CONF.read_text())
    routed = {operation[gateway.STACK] for operation in PUBLIC_ROUTES.values()}
    assert servers == {name: f"{name}:{gateway.CONTAINER_PORT}" for name in routed}


def test_the_operation_paths_are_the_ones_the_services_document(tmp_path):
    """Each public operation has the gateway's method and path in the OpenAPI schema of the
    monolith and of the micro service that answers it."""
    settings = {"monolith.settings"} | {
        spec_named(routes["micro"]).settings for routes in PUBLIC_ROUTES.values()
    }
    env = {**os.environ, "BLOG_VAR_DIR": str(tmp_path)}
    command = [sys.executable, "manage.py", "spectacular", "--format", "openapi-json"]
    running = {
        module: subprocess.Popen(
            [*command, f"--settings={module}"],
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for module in settings
    }
    documented = {}
    for module, popen in running.items():
        schema = json.loads(popen.communicate(timeout=60)[0])
        documented[module] = {
            operation["operationId"]: (method.upper(), path)
            for path, methods in schema["paths"].items()
            for method, operation in methods.items()
        }
    for operation, method_and_path in gateway.OPERATION_PATHS.items():
        micro = spec_named(PUBLIC_ROUTES[operation]["micro"]).settings
        assert documented["monolith.settings"][operation] == method_and_path, operation
        assert documented[micro][operation] == method_and_path, operation


def test_the_gateway_lets_the_services_answer_an_oversized_body_themselves():
    from shared.settings import base

    config = gateway.GATEWAY_CONF.read_text()
    nginx_limit = int(re.search(r"client_max_body_size (\d+);", config).group(1))
    assert gateway.APP_MAX_BODY_BYTES == base.MAX_BODY_BYTES
    assert nginx_limit > base.MAX_BODY_BYTES
    settings = yaml.safe_load((K8S_DIR / "settings.yaml").read_text())["data"]
    for deployed in (compose_env_file(), settings):
        assert int(deployed.get("BLOG_MAX_BODY_BYTES", base.MAX_BODY_BYTES)) < nginx_limit


def nginx_test(prefix: Path, config: str) -> subprocess.CompletedProcess:
    try:
        binary = gateway.nginx_binary()
    except FileNotFoundError:
        pytest.skip("nginx is not installed (Debian: apt-get install nginx)")
    main = gateway.write_nginx_config(prefix=prefix, gateway_config=config)
    return subprocess.run(
        [binary, "-t", "-p", str(prefix), "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_nginx_accepts_the_compose_gateway_config(tmp_path):
    # nginx -t resolves upstream names, and posts/query/comments only resolve inside
    # compose or the cluster: check the committed file with those names on loopback.
    committed = gateway.GATEWAY_CONF.read_text()
    on_loopback, count = re.subn(r"(server )[\w.-]+(:\d+;)", r"\g<1>127.0.0.1\2", committed)
    assert count == len(gateway.routed_services())
    result = nginx_test(tmp_path, on_loopback)
    assert result.returncode == 0, result.stderr


def test_nginx_accepts_the_local_gateway_config_and_rejects_a_broken_one(tmp_path):
    routed = gateway.routed_services()
    upstreams = {name: f"http://127.0.0.1:{9000 + n}" for n, name in enumerate(routed)}
    config = gateway.render_gateway_config(
        listen_host="127.0.0.1", listen_port=8999, upstreams=upstreams
    )
    assert nginx_test(tmp_path / "good", config).returncode == 0
    broken = config.replace("proxy_pass http://$blog_service;", "proxy_pass http://$blog_service")
    assert nginx_test(tmp_path / "broken", broken).returncode != 0


# -- the image ------------------------------------------------------------------------------
def entrypoint_command(service: str, role: str) -> list[str]:
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), role],
        # The web role asks this project's Python for the service's shape (shared/web_shape.py).
        env={
            "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
            "BLOG_SERVICE": service,
            "BLOG_ENTRYPOINT_DRY_RUN": "1",
        },
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    )
    return result.stdout.splitlines()


def comparable(command: list[str]) -> list[str]:
    """A command without the program, where it listens, its folder and its process name."""
    words, skip = [], False
    for word in command[1:]:
        if skip:
            skip = False
        elif word in {"--bind", "--chdir", "--hostname"}:
            skip = True
        elif word != "--no-control-socket":
            words.append(word)
    return words


def test_the_image_runs_each_deployable_as_the_launcher_does(tmp_path):
    for kind in ("monolith", "micro"):
        stack = Stack(kind, run_dir=tmp_path)
        for spec in stack.services:
            web = entrypoint_command(spec.name, "web")
            assert comparable(web) == comparable(stack._web_command(spec)), spec.name
            assert f"0.0.0.0:{gateway.CONTAINER_PORT}" in web
            if spec.has_worker:
                worker = entrypoint_command(spec.name, "worker")
                assert comparable(worker) == comparable(stack._worker_command(spec)), spec.name
                # Its queue comes from the service's name (shared/messaging/worker.py).
                assert worker[worker.index("shared.messaging.worker") + 1] == spec.name
            if spec.has_database:
                migrate = entrypoint_command(spec.name, "migrate")
                assert migrate[-3:] == ["migrate", "--noinput", f"--settings={spec.settings}"]


def test_the_image_starts_a_worker_with_the_launchers_worker_environment(tmp_path):
    """The worker role exports what the launcher adds to every worker's environment
    (WORKER_ENV): the entrypoint run for real, with a `python` that prints its environment."""
    from stacks.launcher.processes import WORKER_ENV

    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.write_text("#!/bin/sh\nenv\n")
    python.chmod(0o755)
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "worker"],
        env={
            "PATH": f"{python.parent}:{os.environ['PATH']}",
            "BLOG_SERVICE": "query",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
            "BLOG_READY_FILE": str(tmp_path / "ready"),
        },
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    )
    environment = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    assert WORKER_ENV and {name: environment.get(name) for name in WORKER_ENV} == WORKER_ENV


def test_each_worker_consumes_the_queue_its_tasks_are_routed_to():
    from shared.settings import base

    with_workers = {spec.name for spec in MICRO_SERVICES if spec.has_worker}
    assert with_workers == set(queue_services())
    routes = {pattern: route["queue"] for pattern, route in base.CELERY_TASK_ROUTES.items()}
    assert routes == {f"{name}.*": name for name in with_workers}


def test_the_entrypoint_refuses_a_name_that_is_not_a_deployable():
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "web"],
        env={
            "PATH": os.environ["PATH"],
            "BLOG_SERVICE": "posts;rm",
            "BLOG_ENTRYPOINT_DRY_RUN": "1",
        },
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert result.returncode == 64 and "BLOG_SERVICE" in result.stderr


def dockerfile_stages() -> list[list[str]]:
    text = (PROJECT_DIR / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("#")]
    stages: list[list[str]] = [[]]
    for line in lines:
        if line.startswith("FROM "):
            stages.append([])
        stages[-1].append(line)
    return stages


def test_the_image_exposes_the_web_and_the_worker_metrics_ports():
    exposed = next(line for line in dockerfile_stages()[-1] if line.startswith("EXPOSE "))
    ports = {int(port) for port in exposed.split()[1:]}
    assert ports == {gateway.CONTAINER_PORT, worker_metrics.CONTAINER_PORT}


def test_the_image_is_slim_multi_stage_unprivileged_and_checks_its_health():
    preamble, builder, final = dockerfile_stages()
    assert preamble == ["ARG PYTHON_IMAGE=python:3.11-slim-bookworm"]
    assert builder[0] == "FROM ${PYTHON_IMAGE} AS builder"
    assert final[0] == "FROM ${PYTHON_IMAGE}"
    final_text = "\n".join(final)
    # Build tools, pip runs and caches stay in the builder; the final stage copies the venv.
    assert "build-essential" in "\n".join(builder)
    assert not re.search(r"apt-get|pip (install|wheel)", final_text)
    assert "COPY --from=builder /opt/venv /opt/venv" in final
    user = next(line for line in final if line.startswith("USER "))
    assert user.split()[1].split(":")[0] not in {"root", "0"}
    healthcheck = next(line for line in final if line.startswith("HEALTHCHECK "))
    assert "/health/" in healthcheck and "PORT" in healthcheck
    assert 'ENTRYPOINT ["blog-entrypoint"]' in final and 'CMD ["web"]' in final


def test_the_build_context_holds_what_the_dockerfile_copies():
    ignore = (PROJECT_DIR / ".dockerignore").read_text().splitlines()
    kept = {line[1:] for line in ignore if line.startswith("!")}
    copied = re.findall(
        r"^COPY (?:--chmod=\S+ )?(?!--from)(.+) \S+$",
        (PROJECT_DIR / "Dockerfile").read_text(),
        flags=re.M,
    )
    sources = {source for line in copied for source in line.split()}
    assert sources <= kept
    assert all((PROJECT_DIR / source).exists() for source in sources)


# -- the NetworkPolicy set ------------------------------------------------------------------
def test_the_committed_network_policies_are_the_ones_the_tables_render():
    from stacks import network_policy

    committed = network_policy.POLICY_FILE.read_text()
    assert committed == network_policy.render(), "run: python -m stacks.network_policy --write"


def policy_edges(manifests: list[dict]) -> tuple[set, set]:
    """(client, server, port) allowed in the namespace, as seen from the servers' ingress
    rules and from the clients' egress rules."""
    label = "app.kubernetes.io/name"
    ingress, egress = set(), set()
    for policy in of_kind(manifests, "NetworkPolicy").values():
        selected = policy["spec"]["podSelector"].get("matchLabels", {}).get(label)
        for rule in policy["spec"].get("ingress", []):
            for peer in rule["from"]:
                if "namespaceSelector" not in peer:
                    client = peer["podSelector"]["matchLabels"][label]
                    ingress |= {(client, selected, port["port"]) for port in rule["ports"]}
        for rule in policy["spec"].get("egress", []):
            for peer in rule["to"]:
                if "namespaceSelector" not in peer:
                    server = peer["podSelector"]["matchLabels"][label]
                    egress |= {(selected, server, port["port"]) for port in rule["ports"]}
    return ingress, egress


def test_network_policies_deny_by_default_then_allow_exactly_the_tables_edges(manifests):
    from stacks.routes import INTERNAL_CALLS

    policies = of_kind(manifests, "NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    http = gateway.CONTAINER_PORT
    expected = {("gateway", name, http) for name in gateway.routed_services()}
    expected |= {(client, s, http) for client, servers in INTERNAL_CALLS.items() for s in servers}
    expected |= {(spec.name, "redis", 6379) for spec in ALL_SPECS if spec.has_worker}
    expected |= {(spec.name, "postgres", 5432) for spec in ALL_SPECS if spec.has_database}
    ingress, egress = policy_edges(manifests)
    assert ingress == expected
    assert egress == expected
    labels = {
        doc["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"]
        for doc in of_kind(manifests, "Deployment", "StatefulSet").values()
    }
    assert {server for _, server, _ in expected} | {"gateway"} <= labels
    entry = {
        name
        for name, policy in policies.items()
        for rule in policy["spec"].get("ingress", [])
        for peer in rule["from"]
        if peer.get("namespaceSelector", {}).get("matchLabels")
    }
    ingress_backends = {
        path["backend"]["service"]["name"]
        for rule in of_kind(manifests, "Ingress")["blog"]["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert entry == ingress_backends | {"redis"}  # redis: from KEDA's namespace


def test_the_call_table_names_every_service_url_each_service_reads():
    """INTERNAL_CALLS says whom each service calls: exactly the <NAME>_URL settings it reads."""
    from stacks.routes import INTERNAL_CALLS

    read = {}
    for spec in MICRO_SERVICES:
        text = (PROJECT_DIR / spec.settings.replace(".", "/")).with_suffix(".py").read_text()
        urls = re.findall(r'env_str\("([A-Z]+)_URL"', text)
        if urls:
            read[spec.name] = tuple(sorted(name.lower() for name in urls))
    assert read == {name: tuple(sorted(calls)) for name, calls in INTERNAL_CALLS.items()}


# -- the optional KEDA overlay --------------------------------------------------------------
KEDA_DIR = PROJECT_DIR / "deploy" / "keda"


def test_the_committed_scaled_objects_are_the_ones_the_route_table_renders():
    from stacks import keda

    assert keda.SCALED_OBJECTS.read_text() == keda.render(), "run: python -m stacks.keda --write"


def test_keda_scales_every_worker_on_the_queue_it_consumes(manifests):
    keda_docs = [doc for doc in yaml.safe_load_all((KEDA_DIR / "scaled-objects.yaml").read_text())]
    scaled = {
        doc["spec"]["scaleTargetRef"]["name"]: doc
        for doc in keda_docs
        if doc["kind"] == "ScaledObject"
    }
    workers = {name for name, (_, role) in expected_workloads().items() if role == "worker"}
    assert set(scaled) == workers
    deployments = of_kind(manifests, "Deployment")
    for name, doc in scaled.items():
        (trigger,) = doc["spec"]["triggers"]
        service = env_of(app_container(deployments[name]))["BLOG_SERVICE"]
        assert trigger["type"] == "redis", name
        assert trigger["metadata"]["listName"] == queue(service), name
        assert urlsplit(env_of(app_container(deployments[name]))["REDIS_URL"]).port == int(
            trigger["metadata"]["address"].rsplit(":", 1)[1]
        )
        assert doc["spec"]["minReplicaCount"] >= 1
    # Every worker can now run several pods: each has exactly one disruption budget.
    budgets = [doc for doc in keda_docs if doc["kind"] == "PodDisruptionBudget"]
    budgets += list(of_kind(manifests, "PodDisruptionBudget").values())
    for doc in budgets:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    budgeted = [doc["metadata"]["name"] for doc in budgets if doc["metadata"]["name"] in workers]
    assert sorted(budgeted) == sorted(workers)


def test_the_keda_overlay_applies_everything_and_drops_the_cpu_autoscaler_it_replaces(manifests):
    kustomization = yaml.safe_load((KEDA_DIR / "kustomization.yaml").read_text())
    assert kustomization["resources"] == ["../k8s", "scaled-objects.yaml"]
    (patch,) = kustomization["patches"]
    deleted = yaml.safe_load(patch["patch"])
    assert deleted["$patch"] == "delete" and deleted["kind"] == "HorizontalPodAutoscaler"
    worker_hpas = {
        name
        for name, doc in of_kind(manifests, "HorizontalPodAutoscaler").items()
        if doc["spec"]["scaleTargetRef"]["name"].endswith("-worker")
    }
    assert {deleted["metadata"]["name"]} == worker_hpas


@pytest.mark.parametrize("overlay", ["k8s", "keda"])
def test_kustomize_builds_the_base_and_the_keda_overlay_with_the_secret_generated(
    tmp_path, overlay
):
    """kubectl kustomize (when installed) builds both, on a copy that has a secrets.env."""
    kubectl = shutil.which("kubectl")
    if not kubectl:
        pytest.skip("kubectl is not installed")
    for folder in ("k8s", "keda"):
        shutil.copytree(PROJECT_DIR / "deploy" / folder, tmp_path / folder)
    shutil.copy(K8S_DIR / "secrets.env.example", tmp_path / "k8s" / "secrets.env")
    shutil.copy(K8S_DIR / "redis.env.example", tmp_path / "k8s" / "redis.env")
    shutil.copy(K8S_DIR / "event-keys.env.example", tmp_path / "k8s" / "event-keys.env")
    result = subprocess.run(
        [kubectl, "kustomize", str(tmp_path / overlay)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    built = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    secrets = {doc["metadata"]["name"]: doc for doc in built if doc["kind"] == "Secret"}
    assert set(secrets) == {"blog-secrets", "blog-redis", "blog-event-keys"}
    assert set(secrets["blog-event-keys"]["data"]) == set(k8s_event_keys_example())
    assert set(secrets["blog-secrets"]["data"]) == {
        "EVENT_VERIFY_KEYS",
        "DJANGO_SECRET_KEY",
        "INTERNAL_TOKEN",
        "PGPASSWORD",
    }
    assert set(secrets["blog-redis"]["data"]) == set(k8s_redis_example())
    kinds = [doc["kind"] for doc in built]
    assert kinds.count("ScaledObject") == (5 if overlay == "keda" else 0)


# -- Redis: one ACL user per service --------------------------------------------------------
QUEUE_SERVICES = queue_services()
INTERPOLATION = re.compile(r"^\$\{(?P<variable>[A-Z_]+):-(?P<default>[^}]+)\}$")


def k8s_redis_example() -> dict[str, str]:
    lines = (K8S_DIR / "redis.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def compose_variable(value: str) -> tuple[str, str]:
    """`${VARIABLE:-default}` -> (VARIABLE, default): compose's interpolation with a stand-in."""
    found = INTERPOLATION.match(value)
    assert found, f"{value!r} is not ${{VARIABLE:-default}}"
    return found["variable"], found["default"]


def test_the_committed_redis_users_are_the_ones_the_acl_table_renders(manifests):
    from stacks import redis_acl

    assert redis_acl.RULES_FILE.read_text() == redis_acl.render_rules(), (
        "run: python -m stacks.redis_acl --write"
    )
    assert redis_acl.CONFIGMAP.read_text() == redis_acl.render_configmap(), (
        "run: python -m stacks.redis_acl --write"
    )
    data = of_kind(manifests, "ConfigMap")["redis-acl"]["data"]
    assert data == {
        "users.acl": redis_acl.render_rules(),
        "start-redis.sh": redis_acl.START_SCRIPT.read_text(),
    }
    assert set(redis_acl.users()) == {"default", "keda", *QUEUE_SERVICES}


def test_compose_gives_each_service_with_a_queue_its_own_redis_user(compose):
    from stacks.redis_acl import password_variable

    redis_env = compose["services"]["redis"]["environment"]
    for name, (deployable, role) in expected_workloads().items():
        environment = compose["services"][name]["environment"]
        if role == "migrate" or deployable not in QUEUE_SERVICES:
            assert "REDIS_URL" not in environment, f"{name} uses no Redis"
            continue
        url = urlsplit(environment["REDIS_URL"])
        assert (url.username, url.hostname, url.port, url.path) == (deployable, "redis", 6379, "/0")
        # The same password (variable and stand-in) as the one Redis gives this user.
        assert url.password is not None
        variable, default = compose_variable(url.password)
        assert variable == password_variable(deployable)
        assert compose_variable(redis_env[variable]) == (variable, default), name
    assert "REDIS_URL" not in compose_env_file(), "no shared broker URL"


def test_compose_redis_starts_with_a_password_for_every_generated_user(compose):
    from stacks import redis_acl

    redis = compose["services"]["redis"]
    assert redis["image"] == "redis:7.2-alpine"
    assert redis["command"][:2] == ["sh", "/etc/blog-redis/start-redis.sh"]
    assert "./deploy/redis:/etc/blog-redis:ro" in redis["volumes"]
    assert redis["user"] == "redis"
    variables = {redis_acl.password_variable(user) for user in redis_acl.users()}
    assert set(redis["environment"]) == variables
    stand_ins = [compose_variable(value)[1] for value in redis["environment"].values()]
    assert len(set(stand_ins)) == len(stand_ins), "a password per user"
    # The health check's redis-cli authenticates as the admin through REDISCLI_AUTH.
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_k8s_gives_each_service_with_a_queue_its_own_redis_user_and_only_its_password(manifests):
    from stacks.redis_acl import password_variable

    workloads = of_kind(manifests, "Deployment", "Job", "StatefulSet")
    for name, (deployable, role) in expected_workloads().items():
        for container in [
            *pod_spec(workloads[name]).get("initContainers", []),
            *pod_spec(workloads[name])["containers"],
        ]:
            env = {item["name"]: item for item in container.get("env", [])}
            refs = [
                item["valueFrom"]["secretKeyRef"]
                for item in env.values()
                if "secretKeyRef" in item.get("valueFrom", {})
                and item["valueFrom"]["secretKeyRef"]["name"] == "blog-redis"
            ]
            assert all(
                source.get("secretRef", {}).get("name") != "blog-redis"
                for source in container.get("envFrom", [])
            ), name
            if (
                role == "migrate"
                or deployable not in QUEUE_SERVICES
                or container is not app_container(workloads[name])
            ):
                assert "REDIS_URL" not in env and refs == [], (
                    f"{name}/{container['name']} uses no Redis"
                )
                continue
            assert refs == [{"name": "blog-redis", "key": password_variable(deployable)}], name
            names = list(env)
            # Kubernetes expands $(REDIS_PASSWORD) from a variable defined before it.
            assert names.index("REDIS_PASSWORD") < names.index("REDIS_URL"), name
            assert (
                env["REDIS_URL"]["value"] == f"redis://{deployable}:$(REDIS_PASSWORD)@redis:6379/0"
            )


def test_k8s_redis_starts_with_the_generated_users_and_their_secret(manifests):
    from stacks import redis_acl

    redis = of_kind(manifests, "StatefulSet")["redis"]
    container = app_container(redis)
    assert container["image"] == "redis:7.2-alpine"
    assert container["command"] == ["sh", "/etc/blog-redis/start-redis.sh"]
    assert container["envFrom"] == [{"secretRef": {"name": "blog-redis"}}]
    mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
    volumes = {volume["name"]: volume for volume in pod_spec(redis)["volumes"]}
    assert volumes[mounts["/etc/blog-redis"]]["configMap"] == {"name": "redis-acl"}
    assert volumes[mounts["/run/blog-redis"]]["emptyDir"]["medium"] == "Memory"
    assert set(k8s_redis_example()) == {
        redis_acl.password_variable(user) for user in redis_acl.users()
    }
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["exec"]["command"] == ["redis-cli", "ping"]  # REDISCLI_AUTH


def test_the_shipped_redis_passwords_do_not_pass_the_production_checks(compose, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from stacks.redis_acl import password_variable

    monkeypatch.setenv("DJANGO_ENV", "production")
    redis_env = compose["services"]["redis"]["environment"]
    for service in QUEUE_SERVICES:
        variable = password_variable(service)
        for password in (k8s_redis_example()[variable], compose_variable(redis_env[variable])[1]):
            monkeypatch.setenv("REDIS_URL", f"redis://{service}:{password}@redis:6379/0")
            with pytest.raises(ImproperlyConfigured, match=r"^REDIS_URL is a placeholder"):
                environment.redis_url()
    for password in [
        *k8s_redis_example().values(),
        *(compose_variable(v)[1] for v in redis_env.values()),
    ]:
        assert environment.placeholder_marker(password), "every stand-in is marked"


def test_the_start_script_starts_redis_with_the_users_and_passwords_given(tmp_path):
    """deploy/redis/start-redis.sh on a real Redis (7.0 or newer, on PATH): the generated rules
    and the passwords from the environment; a missing password stops it."""
    import redis as redis_py

    from stacks import redis_acl
    from stacks.processes import wait_until
    from stacks.redis_server import free_port, redis_server_version

    binary = shutil.which("redis-server")
    if not binary or redis_server_version(binary) < (7, 0):
        pytest.skip("no Redis 7 on PATH")
    passwords = {
        redis_acl.password_variable(user): f"pw{n}" for n, user in enumerate(redis_acl.users())
    }
    env = {"PATH": os.environ["PATH"], "BLOG_REDIS_ACL_RULES": str(redis_acl.RULES_FILE),
           "BLOG_REDIS_ACL_FILE": str(tmp_path / "users.acl")}  # fmt: skip
    missing = subprocess.run(
        ["sh", str(redis_acl.START_SCRIPT)], env=env, capture_output=True, text=True, timeout=10
    )
    assert missing.returncode == 1 and "REDISCLI_AUTH" in missing.stderr
    port = free_port()
    server = subprocess.Popen(
        ["sh", str(redis_acl.START_SCRIPT), "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--dir", str(tmp_path)],
        env={**env, **passwords}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        admin = redis_py.Redis(port=port, password=passwords["REDISCLI_AUTH"], socket_timeout=2)
        wait_until(lambda: _answers(admin), timeout=10, message="redis did not start")
        assert oct((tmp_path / "users.acl").stat().st_mode & 0o777) == "0o600"
        posts = redis_py.Redis(
            port=port, username="posts", password=passwords["REDIS_PASSWORD_POSTS"]
        )
        assert posts.lpush("eventbus", "x") == 1
        with pytest.raises(redis_py.exceptions.NoPermissionError):
            posts.rpop("eventbus")
        keda = redis_py.Redis(port=port, username="keda", password=passwords["REDIS_PASSWORD_KEDA"])
        assert keda.llen("eventbus") == 1
        with pytest.raises(redis_py.exceptions.NoPermissionError):
            keda.lpush("query", "x")
    finally:
        server.terminate()
        server.wait(timeout=10)


def _answers(client) -> bool:
    import redis as redis_py

    try:
        return bool(client.ping())
    except (redis_py.RedisError, OSError):
        return False
