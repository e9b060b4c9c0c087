namespace Crm.Core;

/// <summary>
/// The channel through which a customer and the business met: where a purchase was made or an interaction
/// took place. The same customer record is shared across all of them.
/// </summary>
public enum Channel
{
    /// <summary>Not known or not recorded.</summary>
    Unknown = 0,

    /// <summary>The web site or web shop.</summary>
    Web = 1,

    /// <summary>Email.</summary>
    Email = 2,

    /// <summary>Telephone, including the call centre.</summary>
    Phone = 3,

    /// <summary>A branch or physical store.</summary>
    Branch = 4,

    /// <summary>The mobile app.</summary>
    MobileApp = 5,

    /// <summary>Social media.</summary>
    Social = 6,

    /// <summary>Live chat or messaging.</summary>
    Chat = 7,

    /// <summary>Self-service (kiosk, customer portal, IVR).</summary>
    SelfService = 8,

    /// <summary>Any other channel.</summary>
    Other = 9,
}
