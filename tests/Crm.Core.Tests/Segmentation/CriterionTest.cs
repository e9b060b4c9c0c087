using Crm.Core.Segmentation;
using FsCheck.Xunit;

namespace Crm.Core.Tests.Segmentation;

public class CriterionTest
{
    private static readonly Criterion<int> Even = Criterion<int>.Where(x => x % 2 == 0);
    private static readonly Criterion<int> Positive = Criterion<int>.Where(x => x > 0);

    [Property]
    public bool And_is_conjunction(int x) => (Even & Positive).IsSatisfiedBy(x) == (x % 2 == 0 && x > 0);

    [Property]
    public bool Or_is_disjunction(int x) => (Even | Positive).IsSatisfiedBy(x) == (x % 2 == 0 || x > 0);

    [Property]
    public bool Not_is_negation(int x) => (!Even).IsSatisfiedBy(x) == (x % 2 != 0);

    [Property]
    public bool Double_negation_is_identity(int x) => (!!Positive).IsSatisfiedBy(x) == Positive.IsSatisfiedBy(x);

    [Property]
    public bool De_Morgan_holds(int x) =>
        (!(Even & Positive)).IsSatisfiedBy(x) == (!Even | !Positive).IsSatisfiedBy(x)
        && (!(Even | Positive)).IsSatisfiedBy(x) == (!Even & !Positive).IsSatisfiedBy(x);

    [Property]
    public bool True_and_false_are_identities(int x) =>
        (Criterion<int>.True & Even).IsSatisfiedBy(x) == Even.IsSatisfiedBy(x)
        && (Criterion<int>.False | Even).IsSatisfiedBy(x) == Even.IsSatisfiedBy(x)
        && !(Criterion<int>.False & Even).IsSatisfiedBy(x)
        && (Criterion<int>.True | Even).IsSatisfiedBy(x);

    [Fact]
    public void Composition_with_identities_returns_the_other_operand()
    {
        Assert.Same(Even, Criterion<int>.True.And(Even));
        Assert.Same(Even, Even.Or(Criterion<int>.False));
        Assert.True(Even.Or(Criterion<int>.True).IsTrue);
        Assert.True(Criterion<int>.False.And(Even).IsFalse);
        Assert.True(Criterion<int>.True.Not().IsFalse);
    }

    [Fact]
    public void Double_negation_unwraps_to_the_same_tree()
    {
        Assert.Equal(Positive.Expression.Body, (!!Positive).Expression.Body);
    }

    [Fact]
    public void Composed_tree_contains_no_invocation_and_one_parameter()
    {
        var combined = (Even & !Positive) | Criterion<int>.Where(y => y == 7);
        var text = combined.Expression.ToString();
        Assert.DoesNotContain("Invoke", text, StringComparison.Ordinal);
        Assert.Single(combined.Expression.Parameters);
        Assert.True(combined.IsSatisfiedBy(7));
        Assert.True(combined.IsSatisfiedBy(-2));
        Assert.False(combined.IsSatisfiedBy(2));
    }

    [Fact]
    public void All_and_Any_of_nothing_are_true_and_false()
    {
        Assert.True(Criterion<int>.All([]).IsTrue);
        Assert.True(Criterion<int>.Any([]).IsFalse);
        Assert.True(Criterion<int>.All([Even, Positive]).IsSatisfiedBy(4));
        Assert.False(Criterion<int>.All([Even, Positive]).IsSatisfiedBy(-4));
        Assert.True(Criterion<int>.Any([Even, Positive]).IsSatisfiedBy(-4));
    }

    [Fact]
    public void Null_arguments_throw_ArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>("predicate", () => Criterion<int>.Where(null!));
        Assert.Throws<ArgumentNullException>("other", () => Even.And(null!));
        Assert.Throws<ArgumentNullException>("other", () => Even.Or(null!));
        Assert.Throws<ArgumentNullException>("criteria", () => Criterion<int>.All(null!));
        Assert.Throws<ArgumentException>("criteria", () => Criterion<int>.Any([Even, null!]));
        Assert.Throws<ArgumentNullException>("value", () => Criterion<string>.True.IsSatisfiedBy(null!));
    }
}
