#!/usr/bin/env python3
"""Captures the protobuf request bodies the real kubectl sends, for decoder test fixtures.

Serves just enough of the Kubernetes API (legacy discovery plus canned create responses) on 127.0.0.1 and
saves every POST/PUT/DELETE body to OUTPUT_DIR/<n>-<resource>.pb, with its method, path and Content-Type in
the matching .txt. Stdlib only.

Usage: python3 tools/protobuf-facts/capture.py OUTPUT_DIR PORT
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

GROUPS = {
    "apps/v1": [("deployments", "Deployment", True)],
    "batch/v1": [("jobs", "Job", True), ("cronjobs", "CronJob", True)],
    "policy/v1": [("poddisruptionbudgets", "PodDisruptionBudget", True)],
    "rbac.authorization.k8s.io/v1": [("roles", "Role", True), ("rolebindings", "RoleBinding", True),
                                     ("clusterroles", "ClusterRole", False),
                                     ("clusterrolebindings", "ClusterRoleBinding", False)],
    "scheduling.k8s.io/v1": [("priorityclasses", "PriorityClass", False)],
    "networking.k8s.io/v1": [("ingresses", "Ingress", True)],
    "authorization.k8s.io/v1": [("selfsubjectaccessreviews", "SelfSubjectAccessReview", False)],
    "authentication.k8s.io/v1": [("tokenreviews", "TokenReview", False)],
}
CORE = [("namespaces", "Namespace", False), ("configmaps", "ConfigMap", True), ("secrets", "Secret", True),
        ("services", "Service", True), ("serviceaccounts", "ServiceAccount", True),
        ("serviceaccounts/token", "TokenRequest", True), ("resourcequotas", "ResourceQuota", True),
        ("pods", "Pod", True), ("pods/eviction", "Eviction", True), ("nodes", "Node", False)]
# Just enough state for `kubectl drain node-1`: one node and one pod on it.
NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}, "spec": {}}
POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1", "namespace": "default", "uid": "u1",
       "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "u2",
                            "controller": True}]},
       "spec": {"nodeName": "node-1", "containers": [{"name": "c", "image": "nginx"}]}}
VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


def resource_list(group_version, resources):
    return {"kind": "APIResourceList", "groupVersion": group_version,
            "resources": [dict({"name": n, "singularName": "", "namespaced": ns, "kind": k, "verbs": VERBS},
                               **({"group": "policy", "version": "v1"} if k == "Eviction" else {}))
                          for n, k, ns in resources]}


class Handler(BaseHTTPRequestHandler):
    counter = 0

    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/version":
            return self.reply(200, {"major": "1", "minor": "32", "gitVersion": "v1.32.0"})
        if path == "/api":
            return self.reply(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
        if path == "/apis":
            groups = []
            for gv in GROUPS:
                g, v = gv.split("/")
                ver = {"groupVersion": gv, "version": v}
                groups.append({"name": g, "versions": [ver], "preferredVersion": ver})
            return self.reply(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
        if path == "/api/v1":
            return self.reply(200, resource_list("v1", CORE))
        if path == "/api/v1/nodes/node-1":
            return self.reply(200, NODE)
        if path == "/api/v1/pods":
            return self.reply(200, {"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": [POD]})
        if path.startswith("/apis/") and path[6:] in GROUPS:
            return self.reply(200, resource_list(path[6:], GROUPS[path[6:]]))
        self.reply(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Handler.counter += 1
        parts = self.path.split("?")[0].strip("/").split("/")
        resource = "-".join(p for p in parts[-2:] if p not in ("default",))
        out = Path(sys.argv[1]) / f"{Handler.counter:02d}-{resource}.pb"
        out.write_bytes(body)
        (out.with_suffix(".txt")).write_text(f"{self.command} {self.path}\n{self.headers.get('Content-Type')}\n")
        self.reply(201, {"apiVersion": self.group_version(parts), "kind": self.kind(parts),
                         "metadata": {"name": "captured"}, "status": {"allowed": True, "token": "t"}})

    @staticmethod
    def group_version(parts):
        if parts[-1] == "token":
            return "authentication.k8s.io/v1"
        return "v1" if parts[0] == "api" else f"{parts[1]}/{parts[2]}"

    @staticmethod
    def kind(parts):
        resources = CORE if parts[0] == "api" else GROUPS[f"{parts[1]}/{parts[2]}"]
        names = {n: k for n, k, _ in resources}
        return names.get(f"{parts[-3]}/{parts[-1]}", names.get(parts[-1], names.get(parts[-2], "Status")))

    do_PUT = do_POST

    def do_PATCH(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.reply(200, NODE)

    def do_DELETE(self):
        self.do_POST()


if __name__ == "__main__":
    Path(sys.argv[1]).mkdir(parents=True, exist_ok=True)
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler).serve_forever()
