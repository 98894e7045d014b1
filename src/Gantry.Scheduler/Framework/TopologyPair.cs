namespace Gantry.Scheduler.Framework;

/// <summary>A topology domain: a node label key and one of its values (kube-scheduler's topologyPair).</summary>
internal readonly record struct TopologyPair(string Key, string Value);
