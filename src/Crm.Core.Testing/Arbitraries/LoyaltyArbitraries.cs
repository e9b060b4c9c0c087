using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace Crm.Core.Testing;

/// <summary>What a <see cref="LoyaltyStep"/> does.</summary>
public enum LoyaltyStepKind
{
    /// <summary>A purchase by <see cref="LoyaltyStep.Member"/> of <see cref="LoyaltyStep.Amount"/>.</summary>
    Earn,

    /// <summary>Redeem <see cref="LoyaltyStep.Points"/>.</summary>
    Redeem,

    /// <summary>Run expiry for the member.</summary>
    Expire,

    /// <summary>Return the fraction <see cref="LoyaltyStep.Amount"/> (0–1] of an earlier purchase (chosen by <see cref="LoyaltyStep.Ref"/>).</summary>
    Reverse,

    /// <summary>Adjust by <see cref="LoyaltyStep.Points"/> (may be negative).</summary>
    Adjust,

    /// <summary>Transfer <see cref="LoyaltyStep.Points"/> to <see cref="LoyaltyStep.Other"/>.</summary>
    Transfer,

    /// <summary>Cancel an earlier redemption (chosen by <see cref="LoyaltyStep.Ref"/>).</summary>
    CancelRedemption,

    /// <summary>Let <see cref="LoyaltyStep.Days"/> days pass.</summary>
    TimePasses,

    /// <summary>Send an earlier step again with the same idempotency key (chosen by <see cref="LoyaltyStep.Ref"/>).</summary>
    Repeat,
}

/// <summary>One operation of a generated loyalty scenario; interpret it with the operation's own rules.</summary>
/// <param name="Kind">The operation.</param>
/// <param name="Member">The acting member (index into a small set).</param>
/// <param name="Other">The other member, for transfers.</param>
/// <param name="Points">Points for redemptions, adjustments and transfers.</param>
/// <param name="Amount">The purchase amount, or the returned fraction.</param>
/// <param name="Ref">Which earlier purchase, redemption or step it refers to (modulo how many there are).</param>
/// <param name="Days">Days passing.</param>
public sealed record LoyaltyStep(LoyaltyStepKind Kind, int Member, int Other, long Points, decimal Amount, int Ref, int Days)
{
    /// <summary>A compact description for shrunk counter-examples.</summary>
    public override string ToString() => Kind switch
    {
        LoyaltyStepKind.Earn => $"Earn(m{Member}, {Amount.ToString(CultureInfo.InvariantCulture)})",
        LoyaltyStepKind.Reverse => $"Reverse(m{Member}, #{Ref}, {Amount.ToString(CultureInfo.InvariantCulture)})",
        LoyaltyStepKind.Transfer => $"Transfer(m{Member}→m{Other}, {Points})",
        LoyaltyStepKind.TimePasses => $"TimePasses({Days}d)",
        LoyaltyStepKind.Expire => $"Expire(m{Member})",
        LoyaltyStepKind.CancelRedemption or LoyaltyStepKind.Repeat => $"{Kind}(m{Member}, #{Ref})",
        _ => $"{Kind}(m{Member}, {Points})",
    };
}

/// <summary>A random sequence of loyalty operations over a few members, for state-machine style properties.</summary>
/// <param name="Steps">The operations in order.</param>
public sealed record LoyaltyScenario(IReadOnlyList<LoyaltyStep> Steps)
{
    /// <summary>The members a scenario uses (member indexes are below this).</summary>
    public const int Members = 3;

    /// <summary>The steps, one per line.</summary>
    public override string ToString() => string.Join(", ", Steps);
}

/// <summary>FsCheck arbitraries for loyalty scenarios. Register with <c>[Property(Arbitrary = new[] { typeof(LoyaltyArbitraries) })]</c>.</summary>
public static class LoyaltyArbitraries
{
    /// <summary>Scenarios of up to 40 steps, weighted towards earning so that there is something to spend, return and expire.</summary>
    public static Arbitrary<LoyaltyScenario> Scenario()
    {
        var member = Gen.Choose(0, LoyaltyScenario.Members - 1);
        var step =
            from kind in Gen.Frequency(
                (8, Gen.Constant(LoyaltyStepKind.Earn)),
                (4, Gen.Constant(LoyaltyStepKind.Redeem)),
                (2, Gen.Constant(LoyaltyStepKind.Expire)),
                (3, Gen.Constant(LoyaltyStepKind.Reverse)),
                (2, Gen.Constant(LoyaltyStepKind.Adjust)),
                (3, Gen.Constant(LoyaltyStepKind.Transfer)),
                (2, Gen.Constant(LoyaltyStepKind.CancelRedemption)),
                (3, Gen.Constant(LoyaltyStepKind.TimePasses)),
                (3, Gen.Constant(LoyaltyStepKind.Repeat)))
            from m in member
            from other in member
            from points in Gen.Choose(-300, 600)
            from cents in Gen.Choose(1, 50_000)
            from r in Gen.Choose(0, 1000)
            from days in Gen.Choose(1, 120)
            select new LoyaltyStep(
                kind, m, other,
                kind == LoyaltyStepKind.Adjust ? (points == 0 ? 1 : points) : Math.Abs(points) + 1,
                kind == LoyaltyStepKind.Reverse ? Math.Max(1, cents % 101) / 100m : cents / 100m,
                r, days);
        var scenarios = Gen.Choose(1, 40).SelectMany(n => step.ArrayOf(n)).Select(steps => new LoyaltyScenario(steps));
        return Arb.From(scenarios, ShrinkSteps);
    }

    private static IEnumerable<LoyaltyScenario> ShrinkSteps(LoyaltyScenario scenario)
    {
        // Shorter scenarios first: drop one step at a time.
        for (var i = 0; i < scenario.Steps.Count; i++)
        {
            var shorter = scenario.Steps.Where((_, index) => index != i).ToArray();
            if (shorter.Length > 0)
            {
                yield return new LoyaltyScenario(shorter);
            }
        }
    }
}
