package dev.unison.identity;

import dev.unison.canonical.identity.IdentityRules;
import dev.unison.canonical.identity.RelayEmails;
import dev.unison.canonical.model.IdentifierType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Identity resolution: phone default region and the guards (docs/identity.md). Unset lists
 * take the defaults of {@link IdentityRules}; set ones replace them.
 */
@ConfigurationProperties(prefix = "unison.identity")
public record IdentityProperties(String defaultRegion, List<String> blockedValues, List<String> blockedPatterns,
        Map<IdentifierType, Integer> limits, List<IdentifierType> priority, Integer maxMergesPerProfile,
        Integer maxIdentifiersPerProfile, boolean gmailDotInsensitive, Set<IdentifierType> sharedTypes,
        List<String> relayEmailDomains) {
    public IdentityProperties {
        defaultRegion = defaultRegion == null ? "US" : defaultRegion;
    }

    /** Email domains whose addresses are channel identifiers; unset: TikTok Shop's ({@link RelayEmails#DEFAULT_DOMAINS}). */
    public RelayEmails relayEmails() {
        return new RelayEmails(relayEmailDomains == null ? RelayEmails.DEFAULT_DOMAINS : relayEmailDomains);
    }

    public IdentityRules rules() {
        return new IdentityRules(Set.copyOf(blockedValues == null ? IdentityRules.DEFAULT_BLOCKED_VALUES : blockedValues),
                IdentityRules.compile(blockedPatterns == null ? IdentityRules.DEFAULT_BLOCKED_PATTERNS : blockedPatterns),
                limits == null ? Map.of() : limits, priority == null ? IdentityRules.DEFAULT_PRIORITY : priority,
                maxMergesPerProfile == null ? 100 : maxMergesPerProfile,
                maxIdentifiersPerProfile == null ? 1000 : maxIdentifiersPerProfile, gmailDotInsensitive,
                sharedTypes);
    }
}
