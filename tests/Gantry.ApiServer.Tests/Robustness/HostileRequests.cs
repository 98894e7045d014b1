using System.Text;
using System.Text.Json.Nodes;

namespace Gantry.ApiServer.Tests.Robustness;

/// <summary>
/// A deterministic (seeded) generator of malformed and hostile requests against a few resources in one namespace,
/// where an object named <see cref="TargetName"/> of every resource exists for PUT and PATCH.
/// </summary>
public sealed class HostileRequests(string ns, int seed)
{
    /// <summary>The name of the existing object of each resource.</summary>
    public const string TargetName = "target";

    private const string Json = "application/json";
    private const string Yaml = "application/yaml";
    private const string MergePatch = "application/merge-patch+json";
    private const string StrategicPatch = "application/strategic-merge-patch+json";
    private const string JsonPatch = "application/json-patch+json";
    private const string ApplyPatch = "application/apply-patch+yaml";
    private const string Protobuf = "application/vnd.kubernetes.protobuf";
    private static readonly int[] BadRequest = [400];
    private static readonly int[] BadOrInvalid = [400, 422];
    private static readonly int[] Invalid = [422];
    private static readonly int[] Any4xx = [];

    private readonly Random _random = new(seed);
    private int _counter;

    /// <summary>A resource the generator attacks.</summary>
    public sealed record Resource(string Plural, string Collection, Func<string, JsonObject> Template)
    {
        /// <summary>The path of the existing target object.</summary>
        public string Item => $"{Collection}/{TargetName}";
    }

    /// <summary>The resources attacked, each with a valid object template taking a name.</summary>
    public IReadOnlyList<Resource> Resources { get; } =
    [
        new("pods", $"/api/v1/namespaces/{ns}/pods", name => Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"app":"h"}},
             "spec":{"containers":[{"name":"c","image":"busybox:1.36","command":["sleep","1"]}]}}
            """, name)),
        new("deployments", $"/apis/apps/v1/namespaces/{ns}/deployments", name => Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"h"}},
             "spec":{"replicas":1,"selector":{"matchLabels":{"app":"h"}},
                     "template":{"metadata":{"labels":{"app":"h"}},"spec":{"containers":[{"name":"c","image":"nginx:1.27"}]}}}}
            """, name)),
        new("configmaps", $"/api/v1/namespaces/{ns}/configmaps", name => Parse("""
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"labels":{"app":"h"}},"data":{"k":"v"}}
            """, name)),
        new("services", $"/api/v1/namespaces/{ns}/services", name => Parse("""
            {"apiVersion":"v1","kind":"Service","metadata":{"labels":{"app":"h"}},
             "spec":{"selector":{"app":"h"},"ports":[{"port":80,"targetPort":8080}]}}
            """, name)),
    ];

    /// <summary>Every hostile request, in a fixed order for a given seed.</summary>
    public List<HostileRequest> All()
    {
        var all = new List<HostileRequest>();
        foreach (var r in Resources)
        {
            all.AddRange(Truncated(r));
            all.AddRange(WrongTypes(r));
            all.AddRange(InvalidNames(r));
            all.AddRange(Huge(r));
            all.AddRange(DeepNesting(r));
            all.AddRange(AliasBombs(r));
            all.AddRange(InvalidLabels(r));
            all.AddRange(BadContentTypes(r));
            all.AddRange(BadPatches(r));
            all.AddRange(RandomProtobuf(r));
            all.AddRange(GarbageQueries(r));
        }
        return all;
    }

    private string NewName() => $"hostile-{_counter++}";

    /// <summary>Parses a template and sets its name as a JSON value, so hostile names stay properly escaped.</summary>
    private static JsonObject Parse(string json, string name)
    {
        var obj = JsonNode.Parse(json)!.AsObject();
        obj["metadata"]!["name"] = name;
        return obj;
    }

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static HostileRequest Req(string category, string method, string path, string? contentType, byte[]? body, int[] expected) =>
        new(category, method, path, contentType, body, expected);

    private IEnumerable<HostileRequest> Truncated(Resource r)
    {
        var create = Bytes(r.Template(NewName()).ToJsonString());
        var update = Bytes(r.Template(TargetName).ToJsonString());
        const string patch = """{"metadata":{"labels":{"truncated":"yes"},"annotations":{"a":"b"}}}""";
        for (var i = 0; i < 15; i++)
        {
            yield return Req("truncated json", "POST", r.Collection, Json, create[.._random.Next(1, create.Length - 1)], BadRequest);
            yield return Req("truncated json", "PUT", r.Item, Json, update[.._random.Next(1, update.Length - 1)], BadRequest);
            var cut = Bytes(patch)[.._random.Next(1, patch.Length - 1)];
            yield return Req("truncated json", "PATCH", r.Item, i % 2 == 0 ? MergePatch : StrategicPatch, cut, BadRequest);
        }
        yield return Req("truncated json", "POST", r.Collection, Json, [], BadRequest);
        yield return Req("truncated json", "PATCH", r.Item, JsonPatch, Bytes("""[{"op":"add","path":"/metadata/labels/x","val"""), BadRequest);
        yield return Req("truncated yaml", "POST", r.Collection, Yaml, Bytes("apiVersion: v1\nkind: [\nmetadata: {name: x"), BadRequest);
    }

    private IEnumerable<HostileRequest> WrongTypes(Resource r)
    {
        var mutations = new List<(string What, Action<JsonObject> Mutate)>
        {
            ("metadata is a string", o => o["metadata"] = "x"),
            ("metadata.name is a number", o => o["metadata"]!["name"] = 5),
            ("labels is a list", o => o["metadata"]!["labels"] = new JsonArray("a", "b")),
            ("label value is a number", o => o["metadata"]!["labels"]!["app"] = 7),
            ("annotations is a string", o => o["metadata"]!["annotations"] = "x"),
            ("kind is another kind", o => o["kind"] = r.Plural == "pods" ? "Service" : "Pod"),
            ("apiVersion is unknown", o => o["apiVersion"] = "v9"),
            ("kind is a number", o => o["kind"] = 3),
        };
        switch (r.Plural)
        {
            case "pods":
                mutations.Add(("containers is an object", o => o["spec"]!["containers"] = new JsonObject()));
                mutations.Add(("container image is a number", o => o["spec"]!["containers"]![0]!["image"] = 5));
                mutations.Add(("command is a string", o => o["spec"]!["containers"]![0]!["command"] = "sleep 1"));
                mutations.Add(("spec is a string", o => o["spec"] = "abc"));
                mutations.Add(("restartPolicy is an object", o => o["spec"]!["restartPolicy"] = new JsonObject()));
                break;
            case "deployments":
                mutations.Add(("replicas is a string", o => o["spec"]!["replicas"] = "abc"));
                mutations.Add(("replicas is fractional", o => o["spec"]!["replicas"] = 1.5));
                mutations.Add(("replicas overflows int32", o => o["spec"]!["replicas"] = 4294967296L));
                mutations.Add(("replicas overflows float64", o => o["spec"]!["replicas"] = JsonNode.Parse("1e400")));
                mutations.Add(("selector is a string", o => o["spec"]!["selector"] = "app=h"));
                mutations.Add(("template containers is an object", o => o["spec"]!["template"]!["spec"]!["containers"] = new JsonObject()));
                break;
            case "configmaps":
                mutations.Add(("data value is a number", o => o["data"]!["k"] = 5));
                mutations.Add(("data is a list", o => o["data"] = new JsonArray("k")));
                mutations.Add(("binaryData is not base64", o => o["binaryData"] = new JsonObject { ["b"] = "!!!not base64!!!" }));
                mutations.Add(("immutable is a string", o => o["immutable"] = "yes"));
                break;
            case "services":
                mutations.Add(("ports is a string", o => o["spec"]!["ports"] = "80"));
                mutations.Add(("port is a string", o => o["spec"]!["ports"]![0]!["port"] = "http"));
                mutations.Add(("port overflows int32", o => o["spec"]!["ports"]![0]!["port"] = 99999999999L));
                mutations.Add(("selector is a list", o => o["spec"]!["selector"] = new JsonArray("app")));
                break;
        }
        foreach (var (what, mutate) in mutations)
        {
            var create = r.Template(NewName());
            mutate(create);
            yield return Req("wrong type: " + what, "POST", r.Collection, Json, Bytes(create.ToJsonString()), BadOrInvalid);
            var update = r.Template(TargetName);
            mutate(update);
            yield return Req("wrong type: " + what, "PUT", r.Item, Json, Bytes(update.ToJsonString()), BadOrInvalid);
        }
    }

    private IEnumerable<HostileRequest> InvalidNames(Resource r)
    {
        string[] names = ["UpperCase", new string('a', 254), "../x", "a/b", "..", ".", "-leading", "trailing-", "under_score", "spa ce", "ünïcode", "a%2Fb", "tab\tname", "new\nline", ""];
        foreach (var name in names)
        {
            yield return Req("invalid name", "POST", r.Collection, Json, Bytes(r.Template(name).ToJsonString()), Invalid);
        }
        // PUT to a missing object is 404, or for kinds that allow create-on-update (services) a create that validates the name.
        yield return Req("invalid name", "PUT", $"{r.Collection}/UpperCase", Json, Bytes(r.Template("UpperCase").ToJsonString()), [404, 422]);
        var negative = r.Template(NewName());
        if (r.Plural == "deployments")
        {
            negative["spec"]!["replicas"] = -1;
            yield return Req("invalid value: negative replicas", "POST", r.Collection, Json, Bytes(negative.ToJsonString()), Invalid);
        }
        // The name in the body must match the URL.
        yield return Req("name mismatch", "PUT", r.Item, Json, Bytes(r.Template("someone-else").ToJsonString()), BadRequest);
        var generate = r.Template("");
        generate["metadata"]!.AsObject().Remove("name");
        generate["metadata"]!["generateName"] = "BAD_PREFIX_";
        yield return Req("invalid generateName", "POST", r.Collection, Json, Bytes(generate.ToJsonString()), Invalid);
    }

    private IEnumerable<HostileRequest> Huge(Resource r)
    {
        var big = new string('x', 10 * 1024 * 1024);
        var create = r.Template(NewName());
        create["metadata"]!["annotations"] = new JsonObject { ["big"] = big };
        yield return Req("10 MB string", "POST", r.Collection, Json, Bytes(create.ToJsonString()), [413]);
        yield return Req("10 MB string", "PATCH", r.Item, MergePatch, Bytes(new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["big"] = big } } }.ToJsonString()), [413]);
        if (r.Plural == "configmaps")
        {
            var update = r.Template(TargetName);
            update["data"]!["big"] = big;
            yield return Req("10 MB string", "PUT", r.Item, Json, Bytes(update.ToJsonString()), [413]);
            yield return Req("10 MB string", "POST", r.Collection, Yaml, Bytes($"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {NewName()}\ndata:\n  big: {big}\n"), [413]);
        }
    }

    private IEnumerable<HostileRequest> DeepNesting(Resource r)
    {
        const int depth = 10_000;
        var arrays = new string('[', depth) + new string(']', depth);
        var objects = new StringBuilder();
        for (var i = 0; i < depth; i++) objects.Append("{\"a\":");
        objects.Append("1").Append('}', depth);
        var objectsText = objects.ToString();
        var inLabels = "{\"metadata\":{\"name\":\"" + NewName() + "\",\"labels\":" + objectsText + "}}";
        var jsonPatchDeep = """[{"op":"add","path":"/metadata/annotations","value":""" + objectsText + "}]";
        foreach (var (shape, text) in new[] { ("arrays", arrays), ("objects", objectsText) })
        {
            yield return Req($"deep {shape}", "POST", r.Collection, Json, Bytes(text), BadRequest);
            yield return Req($"deep {shape}", "PUT", r.Item, Json, Bytes(text), BadRequest);
            yield return Req($"deep {shape} (yaml flow)", "POST", r.Collection, Yaml, Bytes(text), BadRequest);
            yield return Req($"deep {shape}", "PATCH", r.Item, MergePatch, Bytes(text), BadRequest);
            yield return Req($"deep {shape}", "PATCH", r.Item, StrategicPatch, Bytes(text), BadRequest);
            yield return Req($"deep {shape}", "PATCH", r.Item, JsonPatch, Bytes(text), BadRequest);
            yield return Req($"deep {shape}", "PATCH", r.Item + "?fieldManager=test", ApplyPatch, Bytes(text), BadRequest);
        }
        yield return Req("deep object inside labels", "POST", r.Collection, Json, Bytes(inLabels), BadRequest);
        yield return Req("deep object in json patch value", "PATCH", r.Item, JsonPatch, Bytes(jsonPatchDeep), BadRequest);
        // YAML flow mappings nested without JSON's quotes, so the body goes through the YAML parser.
        var yamlMaps = new StringBuilder();
        for (var i = 0; i < depth; i++) yamlMaps.Append("{a: ");
        yamlMaps.Append('1').Append('}', depth);
        yield return Req("deep yaml flow mappings", "POST", r.Collection, Yaml, Bytes("kind: x\nmetadata: " + yamlMaps), BadRequest);
        yield return Req("deep yaml flow sequences", "POST", r.Collection, Yaml, Bytes("kind: x\nspec: " + arrays), BadRequest);
    }

    private IEnumerable<HostileRequest> AliasBombs(Resource r)
    {
        var bomb = new StringBuilder("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var i = 1; i <= 9; i++)
            bomb.Append($"a{i}: &a{i} [{string.Join(",", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        var laughs = bomb.ToString();
        var inObject = $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {NewName()}\n  labels: {{app: h}}\nx:\n  " + laughs.Replace("\n", "\n  ").TrimEnd() + "\n";
        // Wide rather than deep: each level multiplies by 100.
        var wide = new StringBuilder("a0: &a0 [" + string.Join(",", Enumerable.Repeat("\"x\"", 100)) + "]\n");
        for (var i = 1; i <= 4; i++) wide.Append($"a{i}: &a{i} [{string.Join(",", Enumerable.Repeat($"*a{i - 1}", 100))}]\n");
        // Aliases of mappings reached through merge keys expand just as much.
        var merge = new StringBuilder("m0: &m0 {k0: v, k1: v, k2: v, k3: v, k4: v, k5: v, k6: v, k7: v, k8: v, k9: v}\n");
        for (var i = 1; i <= 9; i++)
            merge.Append($"m{i}: &m{i} {{{string.Join(", ", Enumerable.Range(0, 10).Select(j => $"c{j}: *m{i - 1}"))}}}\n");
        var any = new[] { 400, 413, 422 };
        foreach (var (shape, text) in new[] { ("billion laughs", laughs), ("billion laughs in an object", inObject), ("wide alias fan-out", wide.ToString()), ("mapping alias bomb", merge.ToString()) })
        {
            yield return Req("yaml " + shape, "POST", r.Collection, Yaml, Bytes(text), any);
            yield return Req("yaml " + shape, "PUT", r.Item, Yaml, Bytes(text), any);
            yield return Req("yaml " + shape, "PATCH", r.Item + "?fieldManager=test", ApplyPatch, Bytes(text), any);
        }
    }

    private IEnumerable<HostileRequest> InvalidLabels(Resource r)
    {
        string[] keys = ["-bad", "bad-", "a/b/c", "/x", "x/", "UPPER.example.com/x", "example.com/" + new string('k', 64), new string('k', 64), "sp ace", "", "ex@mple.com/x", "a..b/c", new string('p', 254) + "/x"];
        string[] values = [new string('v', 64), "-v", "v-", "a b", "a/b", "ü"];
        foreach (var key in keys)
        {
            var create = r.Template(NewName());
            create["metadata"]!["labels"]![key] = "v";
            yield return Req("invalid label key", "POST", r.Collection, Json, Bytes(create.ToJsonString()), Invalid);
            yield return Req("invalid label key", "PATCH", r.Item, MergePatch, Bytes(new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [key] = "v" } } }.ToJsonString()), Invalid);
            // Kubernetes lower-cases annotation keys before validating them, so an upper-case prefix is fine there.
            if (key.Any(char.IsUpper)) continue;
            var annotated = r.Template(NewName());
            annotated["metadata"]!["annotations"] = new JsonObject { [key] = "v" };
            yield return Req("invalid annotation key", "POST", r.Collection, Json, Bytes(annotated.ToJsonString()), Invalid);
        }
        foreach (var value in values)
        {
            var create = r.Template(NewName());
            create["metadata"]!["labels"]!["ok"] = value;
            yield return Req("invalid label value", "POST", r.Collection, Json, Bytes(create.ToJsonString()), Invalid);
            var update = r.Template(TargetName);
            update["metadata"]!["labels"]!["ok"] = value;
            yield return Req("invalid label value", "PUT", r.Item, Json, Bytes(update.ToJsonString()), Invalid);
        }
    }

    private IEnumerable<HostileRequest> BadContentTypes(Resource r)
    {
        string[] types = ["text/plain", "application/xml", "image/png", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream", "application/json-seq", "text/html; charset=utf-8"];
        var create = Bytes(r.Template(NewName()).ToJsonString());
        var update = Bytes(r.Template(TargetName).ToJsonString());
        var patch = Bytes("""{"metadata":{"labels":{"ct":"x"}}}""");
        foreach (var type in types)
        {
            yield return Req("unsupported content type", "POST", r.Collection, type, create, [415]);
            yield return Req("unsupported content type", "PUT", r.Item, type, update, [415]);
            yield return Req("unsupported content type", "PATCH", r.Item, type, patch, [415]);
        }
        // A PATCH must name its patch type: plain JSON and YAML are not patch types.
        yield return Req("unsupported content type", "PATCH", r.Item, Json, patch, [415]);
        yield return Req("unsupported content type", "PATCH", r.Item, Yaml, patch, [415]);
    }

    private IEnumerable<HostileRequest> BadPatches(Resource r)
    {
        var item = r.Item;
        string[] jsonPatches =
        [
            """{}""", "\"string\"", "[1,2,3]", "[null]", """[{"op":"bogus","path":"/metadata/labels/a"}]""", """[{"op":"add"}]""",
            """[{"op":"add","path":"metadata/labels/a","value":"x"}]""", """[{"op":"remove","path":"/spec/doesNotExist"}]""",
            """[{"op":"test","path":"/metadata/name","value":"not-the-name"}]""", """[{"op":"move","from":"/nope","path":"/metadata/labels/a"}]""",
            """[{"op":"copy","from":"/metadata/nope","path":"/metadata/labels/b"}]""", """[{"op":"replace","path":"/metadata/labels","value":"x"}]""",
            """[{"op":"add","path":"/metadata/name","value":"renamed"}]""", """[{"op":"add","path":"/metadata/labels/~2","value":"x"}]""",
            """[{"op":"add","path":"/metadata/finalizers/99","value":"x"}]""", """[{"op":"replace","path":"/kind","value":"Node"}]""",
"""[{"op":"remove","path":"/metadata/labels/nope/deeper"}]""",
        ];
        foreach (var p in jsonPatches) yield return Req("bad json patch", "PATCH", item, JsonPatch, Bytes(p), Any4xx);
        string[] mergePatches =
        [
            "[]", "\"str\"", "5", "null", """{"metadata":{"name":"renamed"}}""", """{"metadata":{"namespace":"elsewhere"}}""", """{"kind":"Node"}""",
            """{"apiVersion":"v9"}""", """{"metadata":"x"}""", """{"metadata":{"labels":["a"]}}""", """{"metadata":{"labels":{"Bad Key":"v"}}}""",
            """{"metadata":{"uid":5}}""", """{"metadata":{"resourceVersion":"not-a-number"}}""",
        ];
        foreach (var p in mergePatches) yield return Req("bad merge patch", "PATCH", item, MergePatch, Bytes(p), Any4xx);
        string[] strategicPatches =
        [
            "[]", "\"str\"", "7", """{"$patch":"bogus"}""", """{"metadata":{"$patch":"bogus"}}""", """{"metadata":{"name":"renamed"}}""",
"""{"metadata":{"$retainKeys":5}}""", """{"metadata":{"$deleteFromPrimitiveList/finalizers":"x"}}""",
            """{"metadata":{"labels":"x"}}""", """{"kind":"Node"}""", """{"metadata":{"finalizers":{"a":"b"}}}""",
        ];
        foreach (var p in strategicPatches) yield return Req("bad strategic patch", "PATCH", item, StrategicPatch, Bytes(p), Any4xx);
        switch (r.Plural)
        {
            case "pods":
                yield return Req("bad strategic patch", "PATCH", item, StrategicPatch, Bytes("""{"spec":{"containers":"notalist"}}"""), Any4xx);
                yield return Req("bad strategic patch", "PATCH", item, StrategicPatch, Bytes("""{"spec":{"containers":[{"$patch":"delete"}]}}"""), Any4xx);
                yield return Req("bad strategic patch", "PATCH", item, StrategicPatch, Bytes("""{"spec":{"containers":[[1]]}}"""), Any4xx);
                break;
            case "deployments":
                yield return Req("bad merge patch", "PATCH", item, MergePatch, Bytes("""{"spec":{"replicas":"abc"}}"""), BadOrInvalid);
                yield return Req("bad strategic patch", "PATCH", item, StrategicPatch, Bytes("""{"spec":{"replicas":"abc"}}"""), BadOrInvalid);
                yield return Req("bad json patch", "PATCH", item, JsonPatch, Bytes("""[{"op":"replace","path":"/spec/replicas","value":"abc"}]"""), BadOrInvalid);
                yield return Req("bad scale patch", "PATCH", item + "/scale", MergePatch, Bytes("""{"spec":{"replicas":"abc"}}"""), BadOrInvalid);
                yield return Req("bad scale update", "PUT", item + "/scale", Json, Bytes("""{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"target"},"spec":{"replicas":-5}}"""), Any4xx);
                break;
        }
        // Server-side apply needs a field manager and a whole, matching object.
        var whole = r.Template(TargetName);
        yield return Req("bad apply patch", "PATCH", item, ApplyPatch, Bytes(whole.ToJsonString()), Invalid);
        string[] applies =
        [
            "- a\n- b\n", "just a string", ": : :\n", "{\"metadata\":{\"name\":\"target\"}}", """{"apiVersion":"v1","kind":"Namespace"}""",
            r.Template("renamed").ToJsonString(), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: target\n  labels: [a\n",
        ];
        foreach (var p in applies) yield return Req("bad apply patch", "PATCH", item + "?fieldManager=test", ApplyPatch, Bytes(p), Any4xx);
        yield return Req("bad apply patch", "PATCH", item + "?fieldManager=" + new string('m', 200), ApplyPatch, Bytes(whole.ToJsonString()), Any4xx);
        yield return Req("bad apply patch", "PATCH", item + "?fieldManager=test&force=notabool", ApplyPatch, Bytes(whole.ToJsonString()), Any4xx);
    }

    private IEnumerable<HostileRequest> RandomProtobuf(Resource r)
    {
        byte[] magic = [0x6b, 0x38, 0x73, 0x00];
        for (var i = 0; i < 60; i++)
        {
            var bytes = new byte[_random.Next(1, 2048)];
            _random.NextBytes(bytes);
            // Half carry the Kubernetes protobuf magic so decoding gets past the envelope check.
            if (i % 2 == 1 && bytes.Length > magic.Length) magic.CopyTo(bytes, 0);
            var method = (i % 3) switch { 0 => "POST", 1 => "PUT", _ => "POST" };
            yield return Req("random protobuf", method, method == "POST" ? r.Collection : r.Item, Protobuf, bytes, Any4xx);
        }
        // A valid envelope whose inner raw bytes are garbage, and a truncated length-delimited field.
        yield return Req("random protobuf", "POST", r.Collection, Protobuf, [.. magic, 0x0a, 0x02, 0x0a, 0x00, 0x12, 0xff, 0xff, 0xff, 0xff, 0x0f], Any4xx);
        yield return Req("random protobuf", "POST", r.Collection, Protobuf, [.. magic, 0x12, 0x80, 0x80, 0x80, 0x80, 0x08, 0x01], Any4xx);
    }

    private IEnumerable<HostileRequest> GarbageQueries(Resource r)
    {
        string[] listQueries =
        [
            "limit=abc", "limit=1.5", "limit=99999999999999999999", "labelSelector=a%20in%20(", "labelSelector=!!", "labelSelector=a%3D%3D%3Db",
            "labelSelector=a%20notin%20", "labelSelector=" + new string('k', 70) + "%3Dv", "labelSelector=a%3D" + new string('v', 70),
            "fieldSelector=foo%3Dbar", "fieldSelector=metadata.name", "fieldSelector=metadata.name%3D%3D%3Dx", "fieldSelector=spec.nonsense%21%3Dx",
            "resourceVersion=xyz", "resourceVersion=-5", "continue=garbage", "continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6LTF9",
            "limit=5&continue=%%%", "resourceVersionMatch=bogus", "resourceVersionMatch=Exact", "resourceVersionMatch=NotOlderThan",
            "timeoutSeconds=abc", "watch=true&resourceVersion=xyz", "watch=true&fieldSelector=foo%3Dbar", "watch=true&labelSelector=a%20in%20(",
            "watch=true&timeoutSeconds=abc", "watch=true&allowWatchBookmarks=maybe&resourceVersion=bogus",
        ];
        foreach (var q in listQueries) yield return Req("garbage query", "GET", $"{r.Collection}?{q}", null, null, Any4xx);
        yield return Req("garbage query", "GET", $"{r.Item}?resourceVersion=xyz", null, null, Any4xx);
        var create = Bytes(r.Template(NewName()).ToJsonString());
        string[] writeQueries = ["dryRun=bogus", "fieldManager=" + new string('m', 200), "fieldValidation=bogus", "fieldManager=bad%0Aname"];
        foreach (var q in writeQueries) yield return Req("garbage query", "POST", $"{r.Collection}?{q}", Json, create, Any4xx);
        // Deletes aim at a missing object so a server that ignores the options still cannot remove the target.
        string[] deleteQueries = ["gracePeriodSeconds=abc", "propagationPolicy=Bogus", "dryRun=bogus"];
        foreach (var q in deleteQueries) yield return Req("garbage query", "DELETE", $"{r.Collection}/does-not-exist?{q}", null, null, Any4xx);
        yield return Req("bad delete options", "DELETE", $"{r.Collection}/does-not-exist", Json, Bytes("""{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Bogus"}"""), Any4xx);
        yield return Req("bad delete options", "DELETE", $"{r.Collection}/does-not-exist", Json, Bytes("""{"gracePeriodSeconds":"abc"}"""), Any4xx);
        yield return Req("bad delete options", "DELETE", $"{r.Collection}/does-not-exist", Json, Bytes("{\"preconditions\":"), Any4xx);
    }
}
