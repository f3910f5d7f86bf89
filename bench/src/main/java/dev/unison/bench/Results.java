package dev.unison.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unison.canonical.json.CanonicalJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Where a benchmark's result goes: {@code <out>/<name>-<UTC stamp>.json} and {@code .md}, the Markdown also on stdout. */
public final class Results {

    private Results() {
    }

    public static void write(Path out, String name, ObjectNode result, String markdown) throws IOException {
        Files.createDirectories(out);
        String stamp = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().replace(":", "").replace("Z", "");
        Path json = out.resolve(name + "-" + stamp + ".json");
        Path md = out.resolve(name + "-" + stamp + ".md");
        Files.writeString(json, CanonicalJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
        Files.writeString(md, markdown);
        System.out.println(markdown);
        System.out.println("written: " + json + " and " + md);
    }
}
