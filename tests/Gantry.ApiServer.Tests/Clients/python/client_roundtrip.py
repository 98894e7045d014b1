"""Drives a Gantry server with the official Kubernetes Python client.

Usage: client_roundtrip.py KUBECONFIG NAMESPACE
Prints one line per check, "name=value", for the C# test to assert on; exits non-zero on any client error.
"""
import sys
import threading

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

kubeconfig, ns = sys.argv[1], sys.argv[2]
config.load_kube_config(config_file=kubeconfig)
core = client.CoreV1Api()
apps = client.AppsV1Api()


def out(name, value):
    print(f"{name}={value}", flush=True)


def pod(name, app):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": app}},
        # A scheduler name nobody serves: the in-server scheduler would otherwise write these pods' status,
        # and this script checks exactly which changes a watch sees.
        "spec": {"schedulerName": "unscheduled-test", "containers": [{"name": "main", "image": "busybox:1.36", "command": ["sleep", "3600"]}]},
    }


def merge_patch(path, body, response_type):
    # This client version sends dict patches as strategic merge; a JSON merge patch needs the raw call.
    return core.api_client.call_api(
        path, "PATCH", header_params={"Content-Type": "application/merge-patch+json", "Accept": "application/json"},
        body=body, response_type=response_type, auth_settings=["BearerToken"], _return_http_data_only=True)


try:
    # The client asks for "/version/" (trailing slash), which Kubernetes serves like "/version".
    out("version", client.VersionApi().get_code().git_version)
except ApiException as e:
    out("version", f"GET /version/ failed with {e.status}")
core.create_namespace({"metadata": {"name": ns}})

# Pods
created = core.create_namespaced_pod(ns, pod("web-1", "web"))
core.create_namespaced_pod(ns, pod("web-2", "web"))
core.create_namespaced_pod(ns, pod("db-1", "db"))
out("pod.uid.set", bool(created.metadata.uid))
read = core.read_namespaced_pod("web-1", ns)
out("pod.read.uid.same", read.metadata.uid == created.metadata.uid)
out("pod.list.web", ",".join(sorted(p.metadata.name for p in core.list_namespaced_pod(ns, label_selector="app=web").items)))
read.metadata.labels["tier"] = "front"
replaced = core.replace_namespaced_pod("web-1", ns, read)
out("pod.replace.tier", replaced.metadata.labels["tier"])
try:
    core.replace_namespaced_pod("web-1", ns, read)  # read still carries the old resourceVersion
    out("pod.replace.stale.status", 200)
except ApiException as e:
    out("pod.replace.stale.status", e.status)
patched = core.patch_namespaced_pod("web-1", ns, {"spec": {"containers": [{"name": "main", "image": "busybox:1.37"}]}})
out("pod.strategic.containers", ",".join(f"{c.name}:{c.image}" for c in patched.spec.containers))
merged = merge_patch(f"/api/v1/namespaces/{ns}/pods/web-1", {"metadata": {"annotations": {"note": "merged"}}}, "V1Pod")
out("pod.merge.note", merged.metadata.annotations["note"])
json_patched = core.patch_namespaced_pod("web-1", ns, [{"op": "replace", "path": "/metadata/labels/tier", "value": "back"}])
out("pod.jsonpatch.tier", json_patched.metadata.labels["tier"])
core.delete_namespaced_pod("web-2", ns, grace_period_seconds=0)
# Pods the deployment's controllers create are not this script's; only its own, unowned pods are compared.
out("pod.list.after.delete", ",".join(sorted(p.metadata.name for p in core.list_namespaced_pod(ns).items if p.metadata.deletion_timestamp is None and not p.metadata.owner_references)))
try:
    core.read_namespaced_pod("missing", ns)
except ApiException as e:
    out("pod.missing.status", e.status)

# Watch: only changes after the list's resourceVersion arrive, in order.
rv = core.list_namespaced_pod(ns).metadata.resource_version
events = []
started = threading.Event()
w = watch.Watch()


watch_errors = []


def run_watch():
    started.set()
    try:
        for ev in w.stream(core.list_namespaced_pod, ns, resource_version=rv, timeout_seconds=20):
            events.append((ev["type"], ev["object"].metadata.name))
            if ev["type"] == "DELETED" and ev["object"].metadata.name == "watched":
                w.stop()
    except Exception as e:  # reported to the test rather than lost with the thread
        watch_errors.append(f"{type(e).__name__}: {e}")


t = threading.Thread(target=run_watch)
t.start()
started.wait()
core.create_namespaced_pod(ns, pod("watched", "w"))
core.patch_namespaced_pod("watched", ns, {"metadata": {"labels": {"step": "2"}}})
core.delete_namespaced_pod("watched", ns, grace_period_seconds=0)
t.join(30)
out("watch.events", ",".join(f"{typ}:{name}" for typ, name in events))
out("watch.errors", " | ".join(watch_errors).replace("\n", " "))

# Deployments
deployment = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}},
    },
}
d = apps.create_namespaced_deployment(ns, deployment)
out("deploy.replicas", d.spec.replicas)
def replace_replicas(replicas):
    # The deployment controller writes status between our read and replace: retry on 409, as every client must.
    for attempt in range(10):
        d = apps.read_namespaced_deployment("web", ns)
        d.spec.replicas = replicas
        try:
            return apps.replace_namespaced_deployment("web", ns, d)
        except ApiException as e:
            if e.status != 409 or attempt == 9:
                raise


out("deploy.replace.replicas", replace_replicas(3).spec.replicas)
out("deploy.strategic.containers", ",".join(sorted(c.name for c in apps.patch_namespaced_deployment(
    "web", ns, {"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "busybox:1.36"}]}}}}).spec.template.spec.containers)))
out("deploy.merge.replicas", merge_patch(f"/apis/apps/v1/namespaces/{ns}/deployments/web", {"spec": {"replicas": 5}}, "V1Deployment").spec.replicas)
out("deploy.list", ",".join(x.metadata.name for x in apps.list_namespaced_deployment(ns, label_selector="app=web").items))
apps.delete_namespaced_deployment("web", ns)
out("deploy.list.after.delete", len(apps.list_namespaced_deployment(ns).items))

# A consistent list of pods right after the last write went to another resource.
out("pod.list.final", ",".join(sorted(p.metadata.name for p in core.list_namespaced_pod(ns).items if not p.metadata.owner_references)))
out("done", True)
