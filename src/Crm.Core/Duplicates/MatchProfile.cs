using System.Globalization;
using System.Text;
using Crm.Core.Customers;

namespace Crm.Core.Duplicates;

/// <summary>
/// The few values of a customer that matching looks at, already normalised: what the batch scan keeps in memory per
/// customer instead of the whole aggregate. Internal: it holds personal data and is never logged or shown.
/// </summary>
internal sealed class MatchProfile
{
    private MatchProfile(CustomerId customerId, CustomerKind kind)
    {
        CustomerId = customerId;
        Kind = kind;
    }

    public CustomerId CustomerId { get; }

    public CustomerKind Kind { get; }

    public HashSet<string> Emails { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Phones { get; } = new(StringComparer.Ordinal);

    /// <summary>"system\nid" pairs.</summary>
    public HashSet<string> ExternalIds { get; } = new(StringComparer.Ordinal);

    /// <summary>"COUNTRY\nPOSTAL CODE" as stored.</summary>
    public HashSet<string> PostalCodes { get; } = new(StringComparer.Ordinal);

    public string NameKey { get; private set; } = string.Empty;

    public static MatchProfile Of(Customer customer)
    {
        var profile = new MatchProfile(customer.Id, customer.Kind) { NameKey = NameSimilarity.Normalise(customer.Name) };
        foreach (var email in customer.Emails)
        {
            profile.Emails.Add(email.Address.Value);
        }
        foreach (var phone in customer.Phones)
        {
            if (phone.Number.E164 is { } e164)
            {
                profile.Phones.Add(e164);
            }
        }
        foreach (var (system, id) in customer.ExternalIds)
        {
            profile.ExternalIds.Add(system + "\n" + id);
        }
        foreach (var postal in customer.PostalAddresses)
        {
            if (PostalKey(postal.Address) is { } key)
            {
                profile.PostalCodes.Add(key);
            }
        }
        return profile;
    }

    /// <summary>The blocking keys: customers that share none of them are never compared.</summary>
    public IEnumerable<string> BlockingKeys(DuplicateRules rules)
    {
        if (rules.EmailWeight > 0)
        {
            foreach (var e in Emails)
            {
                yield return "e\n" + e;
            }
        }
        if (rules.PhoneWeight > 0)
        {
            foreach (var p in Phones)
            {
                yield return "p\n" + p;
            }
        }
        if (rules.ExternalIdWeight > 0)
        {
            foreach (var x in ExternalIds)
            {
                yield return "x\n" + x;
            }
        }
        if (rules.FuzzyName is { Weight: > 0 })
        {
            foreach (var z in PostalCodes)
            {
                yield return "z\n" + z;
            }
        }
    }

    // The postal code as PostalAddress stores it (trimmed, white space collapsed, upper case): the same value the
    // CustomersByPostalCode look-up compares, so the scan and the registration check agree.
    public static string? PostalKey(PostalAddress address) =>
        address.PostalCode is { } code ? address.CountryCode + "\n" + code : null;
}

/// <summary>Name normalisation and the Jaro-Winkler similarity (Winkler 1990), small enough to own.</summary>
internal static class NameSimilarity
{
    /// <summary>Lower case, no accents, letters and digits only, words sorted and joined by one space.</summary>
    public static string Normalise(CustomerName name)
    {
        var text = name.Kind == CustomerKind.Organisation
            ? name.LegalName ?? name.DisplayName
            : string.Join(' ', new[] { name.GivenName, name.FamilyName }.Where(p => !string.IsNullOrWhiteSpace(p)));
        if (string.IsNullOrWhiteSpace(text))
        {
            text = name.DisplayName;
        }
        return Normalise(text);
    }

    public static string Normalise(string text)
    {
        // FormD splits accents off where ICU is available; hosts running with invariant globalization get the table
        // below instead, which covers the Latin letters that names use most.
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            if (!char.IsLetterOrDigit(c))
            {
                builder.Append(' ');
                continue;
            }
            var lower = char.ToLowerInvariant(c);
            var index = lower > '\u007f' ? Accented.IndexOf(lower, StringComparison.Ordinal) : -1;
            if (index >= 0)
            {
                builder.Append(Folded[index]);
                if (lower is 'ß' or 'æ' or 'œ')
                {
                    builder.Append(lower == 'ß' ? 's' : 'e');
                }
            }
            else
            {
                builder.Append(lower);
            }
        }
        var words = builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Array.Sort(words, StringComparer.Ordinal);
        return string.Join(' ', words);
    }

    private const string Accented = "àáâãäåāăąçćčďđðèéêëēėęěìíîïīįıñńňòóôõöøōőùúûüūůűųýÿźżžśšşłßæœþ";
    private const string Folded = "aaaaaaaaacccdddeeeeeeeeiiiiiiinnnoooooooouuuuuuuuyyzzzssslsaot";

    /// <summary>The Jaro-Winkler similarity of two strings: 1 when equal, 0 when nothing matches.</summary>
    public static double JaroWinkler(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return a.Length == b.Length ? 1d : 0d;
        }
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return 1d;
        }
        var window = Math.Max(0, Math.Max(a.Length, b.Length) / 2 - 1);
        var aMatched = new bool[a.Length];
        var bMatched = new bool[b.Length];
        var matches = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var from = Math.Max(0, i - window);
            var to = Math.Min(b.Length - 1, i + window);
            for (var j = from; j <= to; j++)
            {
                if (!bMatched[j] && a[i] == b[j])
                {
                    aMatched[i] = bMatched[j] = true;
                    matches++;
                    break;
                }
            }
        }
        if (matches == 0)
        {
            return 0d;
        }
        var transpositions = 0;
        for (int i = 0, k = 0; i < a.Length; i++)
        {
            if (!aMatched[i])
            {
                continue;
            }
            while (!bMatched[k])
            {
                k++;
            }
            if (a[i] != b[k])
            {
                transpositions++;
            }
            k++;
        }
        double m = matches;
        var jaro = (m / a.Length + m / b.Length + (m - transpositions / 2d) / m) / 3d;
        var prefix = 0;
        while (prefix < Math.Min(4, Math.Min(a.Length, b.Length)) && a[prefix] == b[prefix])
        {
            prefix++;
        }
        return jaro + prefix * 0.1 * (1d - jaro);
    }
}
