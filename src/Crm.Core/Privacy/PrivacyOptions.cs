using System.Security.Cryptography;
using System.Text;

namespace Crm.Core.Privacy;

/// <summary>
/// The host's secret for the keyed hashes of erased external ids (see <see cref="IErasureRegistry"/>). Register it with
/// <c>AddCrmCore().AddPrivacy(key)</c>; keep the key out of the database (a secret store, an environment variable).
/// </summary>
/// <remarks>
/// Why a key: external ids are short and guessable (<c>C-00042</c>), so a plain hash could be reversed by trying every
/// id. Under HMAC-SHA-256 with a secret of at least 32 bytes, the stored hashes say nothing to someone who has the
/// database but not the key, while the host can still recognise an id it sees again. Changing the key forgets every
/// tombstone (erased ids would be importable again): rotate only together with re-hashing, which is impossible by
/// design, so keep the key for as long as the tombstones must work. Immutable and thread-safe.
/// </remarks>
public sealed class PrivacyOptions
{
    /// <summary>The shortest key accepted, in bytes.</summary>
    public const int MinKeyLength = 32;

    private readonly byte[] _key;

    /// <summary>Creates the options.</summary>
    /// <param name="externalIdHashKey">A random secret of at least 32 bytes (e.g. <c>RandomNumberGenerator.GetBytes(32)</c>, stored by the host); copied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="externalIdHashKey"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="externalIdHashKey"/> is shorter than 32 bytes.</exception>
    public PrivacyOptions(byte[] externalIdHashKey)
    {
        Preconditions.CheckNotNull(externalIdHashKey);
        Preconditions.CheckArgument(externalIdHashKey.Length >= MinKeyLength, nameof(externalIdHashKey),
            $"The hash key must have at least {MinKeyLength} bytes of random data, e.g. RandomNumberGenerator.GetBytes(32), kept by the host in a secret store.");
        _key = (byte[])externalIdHashKey.Clone();
    }

    /// <summary>The keyed hash of an external id: HMAC-SHA-256 over the tenant (if any), the normalised source system code and the id.</summary>
    internal ErasedExternalIdKey HashExternalId(Tenancy.TenantId? tenant, string sourceSystem, string externalId)
    {
        // The tenant is part of the input: two tenants may know different people under one external id, and their
        // tombstones must not collide. The unit separator cannot occur in any part (codes and ids reject control
        // characters), so the input is unambiguous.
        var input = Encoding.UTF8.GetBytes("crm-erased-external-id/v1\u001f" + tenant?.Value + "\u001f" + sourceSystem + "\u001f" + externalId);
        return new ErasedExternalIdKey(Convert.ToHexStringLower(HMACSHA256.HashData(_key, input)));
    }

    /// <summary>Never shows the key.</summary>
    public override string ToString() => "PrivacyOptions (key hidden)";
}
