#!/usr/bin/env python3
"""Writes src/Gantry.Api/Protobuf/fields.tsv: the Kubernetes protobuf field table.

The facts come from the gzipped FileDescriptorProtos that every kubectl binary embeds (the
generated.proto of k8s.io/api and k8s.io/apimachinery). Only the Python standard library is used:
the protobuf wire format of a descriptor is small enough to read directly.

Usage: python3 tools/protobuf-facts/generate.py [KUBECTL_BINARY] [OUTPUT_TSV]
"""
import re
import sys
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_BINARY = "/usr/lib/google-cloud-sdk/bin/kubectl.1.32"
DEFAULT_OUTPUT = REPO / "src/Gantry.Api/Protobuf/fields.tsv"
GZIP_MEMBER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00"

# Stable API versions only (v1, v2): the Gantry API server serves no alpha/beta kinds.
API_PACKAGE = re.compile(r"^k8s\.io\.api\.[a-z]+\.v[12]$")
MACHINERY_PACKAGES = {
    "k8s.io.apimachinery.pkg.apis.meta.v1",
    "k8s.io.apimachinery.pkg.runtime",
    "k8s.io.apimachinery.pkg.runtime.schema",
    "k8s.io.apimachinery.pkg.api.resource",
    "k8s.io.apimachinery.pkg.util.intstr",
}

# google.protobuf.FieldDescriptorProto.Type and .Label numbers.
TYPES = {1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 6: "fixed64", 7: "fixed32",
         8: "bool", 9: "string", 10: "group", 11: "message", 12: "bytes", 13: "uint32", 14: "enum",
         15: "sfixed32", 16: "sfixed64", 17: "sint32", 18: "sint64"}
LABELS = {1: "optional", 2: "required", 3: "repeated"}
# Where a Go field's protobuf name differs from its JSON name (the json struct tag); every other
# generated.proto field is named after its JSON name. DaemonEndpoint's JSON name really is "Port".
# The descriptors do not carry Go json tags, so these are listed by hand; the decoder tests check the
# whole table against the KubernetesClient models (generated from OpenAPI, an independent source).
JSON_NAMES = {
    "k8s.io.api.authentication.v1.BoundObjectReference.uID": "uid",
    "k8s.io.api.networking.v1.IngressClassParametersReference.aPIGroup": "apiGroup",
    "k8s.io.api.admissionregistration.v1.MutatingWebhookConfiguration.Webhooks": "webhooks",
    "k8s.io.api.admissionregistration.v1.ValidatingWebhookConfiguration.Webhooks": "webhooks",
    "k8s.io.api.admissionregistration.v1.Validation.Expression": "expression",
    "k8s.io.api.admissionregistration.v1.Variable.Name": "name",
    "k8s.io.api.admissionregistration.v1.Variable.Expression": "expression",
}
# Go structs embedded with `json:",inline"`: their fields appear directly in the enclosing JSON object.
INLINE = {
    "k8s.io.api.admissionregistration.v1.NamedRuleWithOperations.ruleWithOperations",
    "k8s.io.api.admissionregistration.v1.RuleWithOperations.rule",
    "k8s.io.api.core.v1.ConfigMapEnvSource.localObjectReference",
    "k8s.io.api.core.v1.ConfigMapKeySelector.localObjectReference",
    "k8s.io.api.core.v1.ConfigMapProjection.localObjectReference",
    "k8s.io.api.core.v1.ConfigMapVolumeSource.localObjectReference",
    "k8s.io.api.core.v1.EphemeralContainer.ephemeralContainerCommon",
    "k8s.io.api.core.v1.PersistentVolumeSpec.persistentVolumeSource",
    "k8s.io.api.core.v1.Probe.handler",
    "k8s.io.api.core.v1.SecretEnvSource.localObjectReference",
    "k8s.io.api.core.v1.SecretKeySelector.localObjectReference",
    "k8s.io.api.core.v1.SecretProjection.localObjectReference",
    "k8s.io.api.core.v1.Volume.volumeSource",
    "k8s.io.api.networking.v1.IngressRule.ingressRuleValue",
}
GOGO_NULLABLE = 65001  # (gogoproto.nullable) = false marks a Go value field, not a pointer


def varint(buf, pos):
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def fields(buf):
    """Yields (number, value) of every field; value is an int or bytes."""
    pos = 0
    while pos < len(buf):
        key, pos = varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = varint(buf, pos)
            value, pos = buf[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"unexpected wire type {wire}")
        yield number, value


def grouped(buf):
    result = {}
    for number, value in fields(buf):
        result.setdefault(number, []).append(value)
    return result


def descriptors(binary):
    """Yields every FileDescriptorProto (bytes) embedded gzipped in the binary."""
    data = Path(binary).read_bytes()
    pos = data.find(GZIP_MEMBER)
    while pos >= 0:
        try:
            raw = zlib.decompressobj(31).decompress(data[pos:pos + 4_000_000])
        except zlib.error:
            raw = b""
        if raw.startswith(b"\x0a") and b"generated.proto" in raw[:200]:
            yield raw
        pos = data.find(GZIP_MEMBER, pos + 1)


def message_rows(package, prefix, message):
    desc = grouped(message)
    name = f"{prefix}.{desc[1][0].decode()}"
    options = grouped(desc[7][0]) if 7 in desc else {}
    map_entry = options.get(7, [0])[0] == 1
    rows = []
    for field in desc.get(2, []):
        f = grouped(field)
        options = grouped(f[8][0]) if 8 in f else {}
        pointer = options.get(GOGO_NULLABLE, [1])[0] != 0
        kind = TYPES[f[5][0]]
        type_name = f[6][0].decode().lstrip(".") if 6 in f else ""
        field_name = f[1][0].decode()
        presence = "inline" if f"{name}.{field_name}" in INLINE else "pointer" if pointer else "value"
        rows.append([name, f[3][0], JSON_NAMES.get(f"{name}.{field_name}", field_name), LABELS[f[4][0]], kind,
                     type_name, presence])
    nested = {}
    for inner in desc.get(3, []):
        inner_rows, inner_name, inner_map = message_rows(package, name, inner)
        nested[inner_name] = inner_map
        rows.extend(inner_rows)
    # A repeated reference to a map entry message is a map, not a list.
    for row in rows:
        if row[3] == "repeated" and nested.get(row[5]):
            row[3], row[4] = "optional", "map"
    if map_entry:
        rows.append([name, 0, "", "", "mapentry", "", ""])
    return rows, name, map_entry


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_BINARY
    output = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_OUTPUT
    rows, files = [], []
    for raw in descriptors(binary):
        desc = grouped(raw)
        package = desc[2][0].decode()
        if not (API_PACKAGE.match(package) or package in MACHINERY_PACKAGES):
            continue
        files.append(desc[1][0].decode())
        for message in desc.get(4, []):
            rows.extend(message_rows(package, package, message)[0])
    rows.sort(key=lambda r: (r[0], r[1]))
    with output.open("w", encoding="utf-8", newline="\n") as out:
        out.write("# Kubernetes protobuf fields, generated by tools/protobuf-facts/generate.py from the\n")
        out.write(f"# descriptors embedded in {Path(binary).name}; do not edit by hand.\n")
        out.write("# A 'mapentry' row (number 0) marks a map entry message. Presence: 'value' is a Go value field (always\n")
        out.write("# on the wire), 'pointer' a Go pointer field (on the wire only when set), 'inline' an embedded struct\n")
        out.write("# whose fields JSON writes into the enclosing object.\n")
        out.write("# message\tnumber\tname\tlabel\ttype\ttypeName\tpresence\n")
        for row in rows:
            out.write("\t".join(str(c) for c in row) + "\n")
    print(f"{len(rows)} rows from {len(files)} files -> {output}")


if __name__ == "__main__":
    main()
