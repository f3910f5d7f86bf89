package dev.unison.connectors.kit.identity;

/**
 * Advertising destinations that receive hashed customer identifiers. Each one has its own
 * normalization variant and hash encoding; see {@link DestinationHashing} and
 * {@code docs/identity-hashing.md}.
 */
public enum Destination {

    /**
     * Meta Conversions API ({@code user_data.em} / {@code user_data.ph}). Source: Meta for
     * Developers, "Conversions API: Customer Information Parameters"
     * (developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters)
     * and the SDK's {@code facebook_business/adobjects/serverside/normalize.py}
     * (facebook/facebook-python-business-sdk): email trimmed + lowercased, phone digits only with
     * country code and no {@code +}; SHA-256 hex.
     */
    META,

    /**
     * Google Ads enhanced conversions / Customer Match (also Campaign Manager 360 enhanced
     * conversions). Source: Google Ads API guide "Enhance conversions" / "Manage online click
     * conversions" (developers.google.com/google-ads/api/docs/conversions/upload-online), Campaign
     * Manager 360 "Enhanced Conversions" guide
     * (developers.google.com/doubleclick-advertisers/guides/conversions_ec) and the google-ads-java
     * example {@code UploadEnhancedConversionsForWeb.normalizeAndHashEmailAddress}: dots removed from
     * the local part of {@code @gmail.com} / {@code @googlemail.com} addresses only, phone in E.164
     * with {@code +}; SHA-256 hex.
     */
    GOOGLE,

    /**
     * Unified ID 2.0. Source: UID2 documentation "Normalization and Encoding"
     * (github.com/IABTechLab/uid2docs {@code docs/getting-started/gs-normalization-encoding.md}):
     * for {@code gmail.com} only, remove every {@code .} and any {@code +suffix} in the local part;
     * phone E.164 with {@code +}; SHA-256 then Base64 of the raw 32 bytes (44 characters), not hex.
     */
    UID2,

    /**
     * TikTok (Events API / customer-file audiences). Source: TikTok Ads Manager help, "How to create
     * a Custom Audience with a customer file" / "List of supported IDs and formats for a customer
     * file" (ads.tiktok.com/help): email lowercase with spaces removed, phone E.164
     * {@code +[country code][number]}; SHA-256 hex.
     */
    TIKTOK,

    /**
     * Snap Conversions API. Source: Snap Marketing API, "Conversions API — Best Practices"
     * (developers.snap.com/api/marketing-api/Conversions-API/BestPractices): email trimmed +
     * lowercased, phone with country code and no {@code +} or other non-digits; lowercase hex
     * SHA-256.
     */
    SNAP,

    /**
     * Amazon Ads Conversions API and Amazon Marketing Cloud advertiser data upload. Source: Segment's
     * Amazon Conversions API destination, which normalizes "according to Amazon's requirements"
     * (github.com/segmentio/action-destinations
     * {@code packages/destination-actions/src/destinations/amazon-conversions-api/trackConversion/utils.ts}):
     * email lowercased, every character outside {@code [a-z0-9.@+-]} removed, trimmed; phone digits
     * only; SHA-256 hex (AMC docs example {@code sha256("abc@example.com")}). Amazon's own full
     * standardization rules sit behind an Ads Console login.
     */
    AMAZON,

    /**
     * X (formerly Twitter) Ads API custom audiences. Source: X Developer Platform, "Custom Audiences
     * User Data" (developer.x.com/en/docs/x-ads-api/audiences/overview/user-data): email lowercase
     * and trimmed; SHA-256, unsalted, lowercase hex. That page lists no phone-number format, so no
     * phone match key is produced.
     */
    X
}
