package dev.unison.hub.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Turns a {@code classpath:} routes location into the explicit list of its YAML files for Camel.
 * Given a wildcard, Camel scans every nested jar of the fat jar for matches, which cost ~6 s of
 * the hub's start-up here; Spring's resolver lists the one folder directly. Directory locations
 * ({@code file:}) keep Camel's own wildcard, which is cheap on disk.
 */
public class ClasspathRoutesPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String PATTERN = "camel.main.routes-include-pattern";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String location = environment.getProperty("unison.routes-location", "classpath:routes").replaceAll("/+$", "");
        if (!location.startsWith("classpath:")) {
            return;
        }
        List<String> files = new ArrayList<>();
        try {
            for (Resource r : new PathMatchingResourcePatternResolver(application.getClassLoader())
                    .getResources(location + "/*.yaml")) {
                files.add(location + "/" + r.getFilename());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list routes at " + location, e);
        }
        // no file: a pattern that matches nothing, so Camel loads no route instead of scanning
        String pattern = files.isEmpty() ? location + "/none.yaml" : String.join(",", files);
        environment.getPropertySources().addFirst(new MapPropertySource("unison-classpath-routes", Map.of(PATTERN, pattern)));
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE; // after application.yaml and the command line are read
    }
}
