using Crm.Core.Segmentation;
using Crm.Core.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Crm.Core.Tests.Segmentation;

/// <summary>The compiled expression, the tree-walking interpreter and SQLite agree; the algebra of groups holds.</summary>
public class RuleEvaluationProperties
{
    private static readonly RuleCompiler Compiler = RuleCompiler.Default;

    private static IEnumerable<string> Members(RuleNode rule, ProfileSet set, EvaluationDate date)
    {
        var criterion = Compiler.Compile(rule, date.Date);
        return set.Profiles.Where(criterion.Compiled).Select(p => p.CustomerId.Value);
    }

    private static bool SameMembers(RuleNode a, RuleNode b, ProfileSet set, EvaluationDate date) =>
        Members(a, set, date).SequenceEqual(Members(b, set, date));

    [Property(Arbitrary = new[] { typeof(SegmentationArbitraries) }, MaxTest = 100)]
    public Property Generated_rules_are_valid_and_compiled_equals_interpreted(RandomRule rule, ProfileSet set, EvaluationDate date)
    {
        var errors = Compiler.Validate(rule.Rule);
        var criterion = Compiler.Compile(rule.Rule, date.Date);
        var mismatches = set.Profiles.Where(p => criterion.IsSatisfiedBy(p) != Compiler.Interpret(rule.Rule, p, date.Date)).Select(p => p.CustomerId.Value).ToList();
        return (errors.Count == 0 && mismatches.Count == 0).Label($"errors: {string.Join("; ", errors)}; mismatches: {string.Join(",", mismatches)}");
    }

    [Property(Arbitrary = new[] { typeof(SegmentationArbitraries) })]
    public bool Explain_root_agrees_with_the_compiled_rule(RandomRule rule, ProfileSet set, EvaluationDate date) =>
        set.Profiles.All(p => Compiler.Explain(rule.Rule, p, date.Date).Matched == Compiler.Compile(rule.Rule, date.Date).IsSatisfiedBy(p));

    [Property(Arbitrary = new[] { typeof(SegmentationArbitraries) })]
    public bool Double_negation_is_identity(RandomRule rule, ProfileSet set, EvaluationDate date) =>
        SameMembers(new NotOf(new NotOf(rule.Rule)), rule.Rule, set, date);

    [Property(Arbitrary = new[] { typeof(SegmentationArbitraries) })]
    public bool De_Morgan_holds(RandomRule a, RandomRule b, ProfileSet set, EvaluationDate date) =>
        SameMembers(new NotOf(new AllOf(a.Rule, b.Rule)), new AnyOf(new NotOf(a.Rule), new NotOf(b.Rule)), set, date)
        && SameMembers(new NotOf(new AnyOf(a.Rule, b.Rule)), new AllOf(new NotOf(a.Rule), new NotOf(b.Rule)), set, date);

    [Property(Arbitrary = new[] { typeof(SegmentationArbitraries) })]
    public bool And_or_with_true_and_false_behave(RandomRule rule, ProfileSet set, EvaluationDate date)
    {
        RuleNode @true = new AllOf(), @false = new AnyOf();
        return SameMembers(new AllOf(rule.Rule, @true), rule.Rule, set, date)
            && SameMembers(new AnyOf(rule.Rule, @false), rule.Rule, set, date)
            && !Members(new AllOf(rule.Rule, @false), set, date).Any()
            && Members(new AnyOf(rule.Rule, @true), set, date).Count() == set.Profiles.Count;
    }

    [Property(Arbitrary = new[] { typeof(SegmentationArbitraries) })]
    public bool Json_round_trip_preserves_meaning_and_text(RandomRule rule, ProfileSet set, EvaluationDate date)
    {
        var json = SegmentDefinitionJson.Serialize(rule.Rule);
        var back = SegmentDefinitionJson.Parse(json);
        return SameMembers(back, rule.Rule, set, date) && SegmentDefinitionJson.Serialize(back) == json;
    }

    [Property(Arbitrary = new[] { typeof(SegmentationArbitraries) })]
    public bool Negative_operators_are_the_negation_of_positive_ones(RandomRule rule, ProfileSet set, EvaluationDate date)
    {
        if (rule.Rule is not FieldCondition { Operator: RuleOperator.Ne or RuleOperator.NotIn or RuleOperator.NotContains or RuleOperator.IsNotEmpty } negative)
        {
            return true;
        }
        var positive = negative with { Operator = RuleCompiler.Positive(negative.Operator).Positive };
        return SameMembers(negative, new NotOf(positive), set, date);
    }
}
