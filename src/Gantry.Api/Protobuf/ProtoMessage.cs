namespace Gantry.Api.Protobuf;

/// <summary>A Kubernetes protobuf message: its fields by number and how it appears in JSON.</summary>
internal sealed class ProtoMessage
{
    private readonly List<ProtoField> fields = [];
    private ProtoField?[] byNumber = [];

    public ProtoMessage(string name) => Name = name;

    /// <summary>The fully-qualified message name, e.g. k8s.io.api.apps.v1.Deployment.</summary>
    public string Name { get; }

    /// <summary>How the message is written in JSON.</summary>
    public ProtoMessageShape Shape { get; set; }

    /// <summary>The fields, in field number order.</summary>
    public IReadOnlyList<ProtoField> Fields => fields;

    /// <summary>Adds a field; the table lists them in field number order.</summary>
    public void Add(ProtoField field)
    {
        if (field.Number >= byNumber.Length) Array.Resize(ref byNumber, Math.Max(field.Number + 1, byNumber.Length * 2));
        byNumber[field.Number] = field;
        fields.Add(field);
    }

    /// <summary>The field with this number, or null for a field this table does not know (skipped on the wire).</summary>
    public ProtoField? Find(int number) => number < byNumber.Length ? byNumber[number] : null;

    /// <summary>The field with this JSON name; the table must have it.</summary>
    public ProtoField Named(string jsonName) =>
        fields.Find(f => f.JsonName == jsonName)
        ?? throw new InvalidOperationException($"fields.tsv has no field {jsonName} in {Name}");
}
