using System.Globalization;

namespace Crm.Demo.Cli;

/// <summary>
/// The options of one command line after validation against the command's <see cref="CliOption"/> list.
/// Accepts <c>--name value</c> and <c>--name=value</c>; an option given twice, an unknown option, a missing value or a
/// stray positional argument is a <see cref="CliUsageException"/>.
/// </summary>
public sealed class CliArguments
{
    private readonly Dictionary<string, string?> _values;

    private CliArguments(Dictionary<string, string?> values) => _values = values;

    /// <summary>Whether <c>--help</c> or <c>-h</c> was given.</summary>
    public bool HelpRequested { get; private init; }

    /// <summary>Parses <paramref name="args"/> (the words after the command name) against <paramref name="options"/>.</summary>
    /// <exception cref="CliUsageException">The words do not match the options.</exception>
    public static CliArguments Parse(IReadOnlyList<string> args, IReadOnlyList<CliOption> options)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        var help = false;
        for (var i = 0; i < args.Count; i++)
        {
            var word = args[i];
            if (word is "--help" or "-h")
            {
                help = true;
                continue;
            }
            if (!word.StartsWith("--", StringComparison.Ordinal))
            {
                throw new CliUsageException($"Unexpected argument '{word}'.");
            }
            string name = word;
            string? inlineValue = null;
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = word[..equals];
                inlineValue = word[(equals + 1)..];
            }
            var option = options.FirstOrDefault(o => o.Name == name)
                ?? throw new CliUsageException($"Unknown option '{name}'.");
            if (values.ContainsKey(name))
            {
                throw new CliUsageException($"Option '{name}' is given more than once.");
            }
            if (option.IsFlag)
            {
                if (inlineValue is not null)
                {
                    throw new CliUsageException($"Option '{name}' takes no value.");
                }
                values[name] = null;
                continue;
            }
            if (inlineValue is null)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new CliUsageException($"Option '{name}' needs a value ({option.ValueName}).");
                }
                inlineValue = args[++i];
            }
            values[name] = inlineValue;
        }
        if (!help)
        {
            foreach (var option in options.Where(o => o.Required && !values.ContainsKey(o.Name)))
            {
                throw new CliUsageException($"Option '{option.Name}' is required.");
            }
        }
        return new CliArguments(values) { HelpRequested = help };
    }

    /// <summary>Whether the option (or flag) was given.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>The option's value, or null when it was not given.</summary>
    public string? Get(string name) => _values.TryGetValue(name, out var value) ? value : null;

    /// <summary>The value of a required option.</summary>
    /// <exception cref="CliUsageException">It was not given.</exception>
    public string GetRequired(string name) => Get(name) ?? throw new CliUsageException($"Option '{name}' is required.");

    /// <summary>The option's value as a whole number in [<paramref name="min"/>, <paramref name="max"/>], or null when not given.</summary>
    /// <exception cref="CliUsageException">The value is not such a number.</exception>
    public int? GetInt32(string name, int min, int max)
    {
        var text = Get(name);
        if (text is null)
        {
            return null;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new CliUsageException($"Option '{name}' must be a whole number from {min} to {max}; got '{text}'.");
        }
        return value;
    }
}
