using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Crm.Core;

/// <summary>
/// The one place argument checks live. Every public entry point validates through these helpers so that
/// messages are consistent: they say what was wrong and what is allowed, and always name the parameter.
/// </summary>
internal static class Preconditions
{
    /// <summary>Throws <see cref="ArgumentNullException"/> when <paramref name="argument"/> is null.</summary>
    public static T CheckNotNull<T>([NotNull] T? argument, [CallerArgumentExpression(nameof(argument))] string paramName = "")
        where T : class
    {
        if (argument is null)
        {
            ThrowNull(paramName);
        }
        return argument;
    }

    /// <summary>Throws when the string is null (<see cref="ArgumentNullException"/>) or empty/whitespace (<see cref="ArgumentException"/>).</summary>
    public static string CheckNotBlank([NotNull] string? argument, [CallerArgumentExpression(nameof(argument))] string paramName = "")
    {
        if (argument is null)
        {
            ThrowNull(paramName);
        }
        if (string.IsNullOrWhiteSpace(argument))
        {
            throw new ArgumentException("The value must not be empty or consist only of white space.", paramName);
        }
        return argument;
    }

    /// <summary>Throws <see cref="ArgumentException"/> with <paramref name="message"/> unless <paramref name="expression"/> holds.</summary>
    public static void CheckArgument([DoesNotReturnIf(false)] bool expression, string paramName, string message)
    {
        if (!expression)
        {
            throw new ArgumentException(message, paramName);
        }
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> (naming the parameter and its value) with <paramref name="message"/> unless <paramref name="expression"/> holds.</summary>
    public static void CheckInRange<T>([DoesNotReturnIf(false)] bool expression, string paramName, T value, string message)
    {
        if (!expression)
        {
            throw new ArgumentOutOfRangeException(paramName, value, message);
        }
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static T CheckArgumentRange<T>(string paramName, T value, T min, T max)
        where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            throw new ArgumentOutOfRangeException(paramName, value,
                $"Value should be in range [{min}-{max}].");
        }
        return value;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> is at least zero.</summary>
    public static T CheckNotNegative<T>(T value, [CallerArgumentExpression(nameof(value))] string paramName = "")
        where T : System.Numerics.INumberBase<T>, IComparable<T>
    {
        if (value.CompareTo(T.Zero) < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, value, "The value must not be negative.");
        }
        return value;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> is strictly positive.</summary>
    public static T CheckPositive<T>(T value, [CallerArgumentExpression(nameof(value))] string paramName = "")
        where T : System.Numerics.INumberBase<T>, IComparable<T>
    {
        if (value.CompareTo(T.Zero) <= 0)
        {
            throw new ArgumentOutOfRangeException(paramName, value, "The value must be greater than zero.");
        }
        return value;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when an enum value is not one of its defined members.</summary>
    public static TEnum CheckDefined<TEnum>(TEnum value, [CallerArgumentExpression(nameof(value))] string paramName = "")
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw new ArgumentOutOfRangeException(paramName, value,
                $"Value is not a defined {typeof(TEnum).Name}. Allowed: {string.Join(", ", Enum.GetNames<TEnum>())}.");
        }
        return value;
    }

    /// <summary>Throws <see cref="ArgumentException"/> when a default (uninitialised) struct such as <c>default(CustomerId)</c> is passed.</summary>
    public static T CheckNotDefault<T>(T value, [CallerArgumentExpression(nameof(value))] string paramName = "")
        where T : struct, IEquatable<T>
    {
        if (value.Equals(default))
        {
            throw new ArgumentException($"An uninitialised default {typeof(T).Name} is not allowed; create one with its factory or constructor.", paramName);
        }
        return value;
    }

    [DoesNotReturn]
    private static void ThrowNull(string paramName) => throw new ArgumentNullException(paramName);
}
