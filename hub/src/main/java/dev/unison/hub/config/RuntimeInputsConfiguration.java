package dev.unison.hub.config;

import dev.unison.connectors.kit.mapping.MappingLibrary;
import io.micrometer.core.instrument.config.MeterFilter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The runtime inputs beside routes/ (loaded by Camel from {@code camel.main.routes-include-pattern}):
 * mappings/ compiled at start-up from {@code unison.mappings.location}, and metric guards.
 */
@Configuration(proxyBeanMethods = false)
public class RuntimeInputsConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(RuntimeInputsConfiguration.class);

    /** Every {@code <system>/<message-type>.jsonata} under the mappings location, compiled (a broken one stops start-up). */
    @Bean
    MappingLibrary mappingLibrary(UnisonProperties properties) throws IOException {
        String location = properties.mappingsLocation().replaceAll("/+$", "");
        Resource[] files = new PathMatchingResourcePatternResolver()
                .getResources(location + "/*/*" + MappingLibrary.FILE_SUFFIX);
        Map<String, String> sources = new LinkedHashMap<>();
        for (Resource file : files) {
            String system = systemOf(file);
            String name = system + "/" + file.getFilename().replace(MappingLibrary.FILE_SUFFIX, "");
            try (InputStream in = file.getInputStream()) {
                sources.put(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        MappingLibrary library = MappingLibrary.compile(sources);
        LOG.info("loaded {} mappings from {}: {}", sources.size(), location, library.names());
        return library;
    }

    private static String systemOf(Resource file) throws IOException {
        String uri = file.getURI().toString();
        String parent = uri.substring(0, uri.lastIndexOf('/'));
        return parent.substring(parent.lastIndexOf('/') + 1);
    }

    /**
     * Bounded tag cardinality: a scan of random URLs must not create a time series per URL.
     * Past 100 distinct {@code uri} values, further ones are not recorded.
     */
    @Bean
    MeterFilter boundedHttpUriTags() {
        return MeterFilter.maximumAllowableTags("http.server.requests", "uri", 100, MeterFilter.deny());
    }
}
