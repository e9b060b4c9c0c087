using System.Runtime.CompilerServices;
using System.Text;

namespace Crm.Core.Segmentation;

/// <summary>
/// A <see cref="RuleCompiler"/> for one version of the segment catalog, shared by every <see cref="SegmentService"/>
/// (the service is scoped, so a compiler per call or per scope would compile every rule again: re-evaluating one
/// customer would cost an expression compilation per segment instead of a delegate call).
/// </summary>
/// <remarks>
/// <para>A catalog version is identified by its rules' JSON (segment key and definition, in key order), not by the
/// rule instances: a database store materialises new instances on every load, and a rule that references another
/// segment inlines that segment's rule, so a change to the referenced rule must give a new compiler. Within one
/// version, each segment's rule is mapped to the first instance seen (<see cref="RuleOf"/>), which keeps the
/// compiler's per-instance cache of compiled criteria warm across loads.</para>
/// <para>Thread-safe. A few versions are kept per field registry (hosts with several tenants alternate between
/// catalogs); beyond that the cache starts over.</para>
/// </remarks>
internal sealed class CatalogCompiler : ISegmentRuleResolver
{
    private const int VersionsKept = 16;
    private static readonly ConditionalWeakTable<ProfileFieldRegistry, Dictionary<string, CatalogCompiler>> Versions = new();

    private readonly Dictionary<string, RuleNode> _rules;

    private CatalogCompiler(ProfileFieldRegistry fields, Dictionary<string, RuleNode> rules)
    {
        _rules = rules;
        Compiler = new RuleCompiler(fields, this);
    }

    /// <summary>The compiler; its segment references resolve within this catalog version.</summary>
    public RuleCompiler Compiler { get; }

    /// <summary>The compiler for the catalog's current rules, shared with every earlier call that saw the same rules.</summary>
    public static CatalogCompiler For(ProfileFieldRegistry fields, IReadOnlyDictionary<string, Segment> catalog)
    {
        var rules = catalog.Values.Where(s => s.Rule is not null).OrderBy(s => s.Id.Value, StringComparer.Ordinal).ToList();
        var fingerprint = new StringBuilder();
        foreach (var segment in rules)
        {
            // The JSON writer escapes control characters, so the separators cannot be confused with rule text.
            fingerprint.Append(segment.Id.Value).Append('\u001f').Append(SegmentDefinitionJson.Serialize(segment.Rule!)).Append('\u001e');
        }
        var key = fingerprint.ToString();
        var versions = Versions.GetValue(fields, static _ => new Dictionary<string, CatalogCompiler>(StringComparer.Ordinal));
        lock (versions)
        {
            if (versions.TryGetValue(key, out var existing))
            {
                return existing;
            }
            if (versions.Count >= VersionsKept)
            {
                versions.Clear();
            }
            var created = new CatalogCompiler(fields, rules.ToDictionary(s => s.Id.Value, s => s.Rule!, StringComparer.Ordinal));
            versions.Add(key, created);
            return created;
        }
    }

    /// <summary>This version's instance of a segment's rule (equal in meaning to <paramref name="segment"/>'s own).</summary>
    public RuleNode? RuleOf(Segment segment) => _rules.TryGetValue(segment.Id.Value, out var rule) ? rule : segment.Rule;

    /// <inheritdoc/>
    public RuleNode? FindRule(string segmentKey) => _rules.TryGetValue(segmentKey, out var rule) ? rule : null;
}
